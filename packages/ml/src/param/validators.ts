/**
 * Param validators: data, not code paths. Each carries the sentence shown in errors and in
 * `explainParams()` ("must be >= 0"), the way Spark's ParamValidators do.
 */
export interface Validator<T> {
  /** true when the value is acceptable. */
  test(value: T): boolean;
  /** What an acceptable value looks like, completing "must …" / "… be". */
  expect: string;
}

const fmt = (x: number): string => (Number.isNaN(x) ? 'NaN' : String(x));

export function gt(lower: number): Validator<number> {
  return { test: (v) => v > lower, expect: `> ${fmt(lower)}` };
}
export function gtEq(lower: number): Validator<number> {
  return { test: (v) => v >= lower, expect: `>= ${fmt(lower)}` };
}
export function lt(upper: number): Validator<number> {
  return { test: (v) => v < upper, expect: `< ${fmt(upper)}` };
}
export function ltEq(upper: number): Validator<number> {
  return { test: (v) => v <= upper, expect: `<= ${fmt(upper)}` };
}

/** lower ≤ v ≤ upper by default; either end may be made open. */
export function inRange(
  lower: number,
  upper: number,
  lowerInclusive = true,
  upperInclusive = true,
): Validator<number> {
  return {
    test: (v) => (lowerInclusive ? v >= lower : v > lower) && (upperInclusive ? v <= upper : v < upper),
    expect: `in ${lowerInclusive ? '[' : '('}${fmt(lower)}, ${fmt(upper)}${upperInclusive ? ']' : ')'}`,
  };
}

export function inArray<T extends string | number>(allowed: readonly T[]): Validator<T> {
  return {
    test: (v) => allowed.includes(v),
    expect: `one of ${allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ')}`,
  };
}

/** Arrays whose length is > n. */
export function arrayLengthGt(n: number): Validator<readonly unknown[]> {
  return { test: (v) => v.length > n, expect: `an array with more than ${n} element(s)` };
}

/** Every element passes `inner`. */
export function every<T>(inner: Validator<T>): Validator<readonly T[]> {
  return {
    test: (v) => v.every((x) => inner.test(x)),
    expect: `an array whose elements are each ${inner.expect}`,
  };
}

/** Strictly increasing numbers (Bucketizer splits). */
export function strictlyIncreasing(): Validator<readonly number[]> {
  return {
    test: (v) => v.every((x, i) => !Number.isNaN(x) && (i === 0 || x > v[i - 1]!)),
    expect: 'strictly increasing numbers without NaN',
  };
}

export function nonEmptyString(): Validator<string> {
  return { test: (v) => v.length > 0, expect: 'a non-empty string' };
}

/** Both validators must pass. */
export function and<T>(a: Validator<T>, b: Validator<T>): Validator<T> {
  return { test: (v) => a.test(v) && b.test(v), expect: `${a.expect} and ${b.expect}` };
}

/** A one-off rule. */
export function custom<T>(test: (v: T) => boolean, expect: string): Validator<T> {
  return { test, expect };
}
