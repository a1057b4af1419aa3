/** The middle of the values (the upper middle of an even count): what each bench reports of its rounds. */
export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
