/**
 * The subset of R's model formula syntax that Spark ML's RFormula supports, parsed into terms:
 *   label ~ a + b       terms a and b          label ~ .        every column except the label
 *   label ~ a:b         the interaction of a and b (products; categorical columns one-hot encoded)
 *   label ~ . - c       remove a term          label ~ a + b - 1 (or + 0)  no intercept
 * Column names are letters, digits, '_' and '.', or any text in `backticks`.
 */
import { MLError } from '../util/errors.js';

export interface ParsedFormula {
  label: string;
  /** Each term is a list of column names (one name, or several for an interaction). '.' is kept as is. */
  terms: string[][];
  /** Terms removed with '-'. */
  removed: string[][];
  hasIntercept: boolean;
}

type Token = { kind: 'name' | 'op'; text: string; pos: number };

function tokenize(stage: string, src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('~+-:'.includes(c)) {
      out.push({ kind: 'op', text: c, pos: i });
      i++;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw syntax(stage, src, i, 'unclosed backtick');
      out.push({ kind: 'name', text: src.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (/[A-Za-z0-9_.]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_.]/.test(src[j]!)) j++;
      out.push({ kind: 'name', text: src.slice(i, j), pos: i });
      i = j;
    } else {
      throw syntax(stage, src, i, `unexpected character '${c}'`);
    }
  }
  return out;
}

function syntax(stage: string, src: string, pos: number, what: string): MLError {
  return new MLError(
    'INVALID_PARAM',
    `${stage}: formula "${src}" has a syntax error at position ${pos}: ${what}`,
    {
      stage,
      param: 'formula',
      hint: "write it like 'label ~ a + b + c:d - e' or 'label ~ .'",
    },
  );
}

export function parseFormula(stage: string, src: string): ParsedFormula {
  const toks = tokenize(stage, src);
  const tilde = toks.findIndex((t) => t.kind === 'op' && t.text === '~');
  if (tilde !== 1 || toks[0]!.kind !== 'name') {
    throw syntax(stage, src, toks[tilde]?.pos ?? 0, "expected 'label ~ terms'");
  }
  const label = toks[0]!.text;
  const terms: string[][] = [];
  const removed: string[][] = [];
  let hasIntercept = true;
  let k = tilde + 1;
  let sign: '+' | '-' = '+';
  let expectTerm = true;
  if (k >= toks.length) throw syntax(stage, src, src.length, 'no terms after ~');
  while (k < toks.length) {
    const t = toks[k]!;
    if (expectTerm) {
      if (t.kind === 'op' && (t.text === '-' || t.text === '+') && k === tilde + 1) {
        sign = t.text;
        k++;
        continue;
      }
      if (t.kind !== 'name') throw syntax(stage, src, t.pos, `expected a column name, got '${t.text}'`);
      const term = [t.text];
      k++;
      while (k < toks.length && toks[k]!.text === ':') {
        const nx = toks[k + 1];
        if (!nx || nx.kind !== 'name')
          throw syntax(stage, src, toks[k]!.pos, "expected a column name after ':'");
        term.push(nx.text);
        k += 2;
      }
      if (term.length === 1 && (term[0] === '0' || term[0] === '1')) {
        // '- 1' and '+ 0' drop the intercept; '+ 1' keeps it.
        if ((sign === '-' && term[0] === '1') || (sign === '+' && term[0] === '0')) hasIntercept = false;
      } else if (term.includes('.') && term.length > 1) {
        throw syntax(stage, src, t.pos, "'.' cannot be part of an interaction");
      } else {
        (sign === '+' ? terms : removed).push(term);
      }
      expectTerm = false;
    } else {
      if (t.kind !== 'op' || (t.text !== '+' && t.text !== '-')) {
        throw syntax(stage, src, t.pos, `expected '+' or '-', got '${t.text}'`);
      }
      sign = t.text;
      expectTerm = true;
      k++;
    }
  }
  if (expectTerm) throw syntax(stage, src, src.length, 'the formula ends with an operator');
  return { label, terms, removed, hasIntercept };
}
