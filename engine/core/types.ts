/**
 * Types shared by the whole engine core. Scenario types come from the schema (the single source of truth).
 */
import type { ActionType } from '../scenario/schema.ts';

export type { Scenario, ActionType } from '../scenario/schema.ts';

export const CONTROL_COMMANDS = ['start', 'pause', 'resume', 'end', 'inject'] as const;
export const INCIDENT_COMMANDS = ['ack', 'declare', 'resolve', 'assign-role', 'status-update', 'diagnose'] as const;
export const APPROVAL_COMMANDS = ['approve', 'deny', 'revert'] as const;
export const ROLES = ['ic', 'comms', 'ops'] as const;

export type ControlCommandType = (typeof CONTROL_COMMANDS)[number];
export type IncidentCommandType = (typeof INCIDENT_COMMANDS)[number];
export type ApprovalCommandType = (typeof APPROVAL_COMMANDS)[number];
export type CommandType = ControlCommandType | IncidentCommandType | ApprovalCommandType | ActionType;
export type Role = (typeof ROLES)[number];

/** Parameters are plain JSON; each command type documents the keys it reads. */
export type CommandParams = Record<string, string | number | boolean>;

/** What a person (or a plan) asks the engine to do. Time is decided by the session, not by the sender. */
export interface CommandInput {
  /** The sender's display name, as others see it. */
  actor: string;
  /**
   * Who sent it: the live server's participant id. Controlled friction compares these, never names,
   * so one person under two names is still one person. Plans and headless runs leave it out, and
   * then the actor's name is the identity.
   */
  participant?: string;
  type: string;
  target?: string;
  params?: CommandParams;
}

/** A command in a plan: the same shape plus the simulated time (ms) it is submitted at. */
export interface TimedCommand extends CommandInput {
  at: number;
}

/** Errors the user caused are data, never exceptions. */
export interface CommandError {
  ok: false;
  code: string;
  message: string;
  path?: string;
}

export interface EngineEvent {
  seq: number;
  t: number;
  type: string;
  [key: string]: unknown;
}

export type CommandResult = { ok: true; seq: number; events: EngineEvent[] } | (CommandError & { seq: number; events: EngineEvent[] });
