import { InvalidArgumentError } from 'commander';

/** Commander parser for whole-number options: `--port abc` is an error that names the option, not NaN. */
export function wholeNumber(min = 0): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`expected a whole number${min > 0 ? ` ≥ ${min}` : ''}, got "${value}"`);
    return Number(value);
  };
}
