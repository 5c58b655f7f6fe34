/** Fixed rounding for numbers that go into the log: keeps it small and readable, and stable to the byte. */
export const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
export const rate = (x: number): number => round(x, 4);
export const ms = (x: number): number => round(x, 1);
export const money = (x: number): number => round(x, 2);
