/**
 * Checks for asynchronous edges (topics) and what watches them: a topic is named once, a caller does
 * not retry or break a publish it never waits for, and lag is a topic's metric, not a service's.
 */
import { TOPIC_METRICS, type Scenario } from '../protocol/scenario.ts';
import { defaultTopic } from '../protocol/ids.ts';
import { didYouMean, type PathSegment, type Severity } from './diagnostics.ts';

type Report = (path: PathSegment[], message: string, severity?: Severity) => void;

const isTopicMetric = (metric: string): boolean => (TOPIC_METRICS as readonly string[]).includes(metric);

export function checkTopics(s: Scenario, report: Report): void {
  const topics = new Map<string, string>();
  s.services.forEach((service, i) =>
    service.dependencies.forEach((dep, j) => {
      const path: PathSegment[] = ['services', i, 'dependencies', j];
      if (dep.kind !== 'async') {
        if (dep.topic !== undefined) report([...path, 'topic'], `"topic" names the topic of an asynchronous call; ${JSON.stringify(service.id)} calls ${JSON.stringify(dep.service)} synchronously (kind: ${dep.kind}): remove it or set kind: async`);
        return;
      }
      const name = dep.topic ?? defaultTopic(service.id, dep.service);
      const earlier = topics.get(name);
      if (earlier !== undefined) report([...path, dep.topic === undefined ? 'service' : 'topic'], `topic ${JSON.stringify(name)} is already the topic of ${earlier}: give this one its own "topic"`);
      else topics.set(name, `${service.id} → ${dep.service}`);
      const unused = (field: string, why: string) => report([...path, field], `${service.id} publishes to ${dep.service} asynchronously: ${why}`);
      if (dep.retries > 0) unused('retries', 'it never waits for the consumer, so it has nothing to retry (a failed message is redelivered to the consumer instead); remove "retries"');
      if (dep.breaker !== undefined) unused('breaker', 'a slow consumer never fails the publisher, so a breaker would never open; remove "breaker"');
      if (dep.retryBudget !== undefined) unused('retryBudget', 'there are no retries to budget; remove "retryBudget"');
    }),
  );
  const known = new Set(topics.keys());
  const unknown = (id: string) => `unknown topic ${JSON.stringify(id)}${didYouMean(id, known)}${known.size === 0 ? ' (a topic is an asynchronous dependency: kind: async)' : ''}`;
  s.alerts.forEach((alert, i) => {
    const name = JSON.stringify(alert.id);
    if (alert.topic !== undefined) {
      if (!known.has(alert.topic)) report(['alerts', i, 'topic'], unknown(alert.topic));
      if (alert.service !== undefined || alert.journey !== undefined) report(['alerts', i, 'topic'], `alert ${name} watches a topic and a ${alert.service !== undefined ? 'service' : 'journey'}: choose one`);
      if (!isTopicMetric(alert.metric)) report(['alerts', i, 'metric'], `alert ${name} watches topic ${JSON.stringify(alert.topic)}: its metric is lag (messages) or lagSeconds, not ${alert.metric}`);
    } else if (isTopicMetric(alert.metric)) {
      report(['alerts', i, 'metric'], `alert ${name}: ${alert.metric} is the lag of a topic; add "topic" (an asynchronous dependency's topic) instead of a service or journey`);
    }
  });
  s.journeys.forEach((journey, i) => {
    if (journey.topic !== undefined && !known.has(journey.topic)) report(['journeys', i, 'topic'], unknown(journey.topic));
    if (journey.slo.lagSeconds !== undefined && journey.topic === undefined) {
      report(['journeys', i, 'slo', 'lagSeconds'], `journey ${JSON.stringify(journey.id)}: slo.lagSeconds needs "topic", the topic whose lag counts against it`);
    }
    if (journey.topic !== undefined && journey.slo.lagSeconds === undefined) {
      report(['journeys', i, 'topic'], `journey ${JSON.stringify(journey.id)} names topic ${JSON.stringify(journey.topic)} but no slo.lagSeconds, so its lag never counts`, 'warning');
    }
  });
}
