/**
 * Where a JSON syntax error is. Node 20's JSON.parse names a position for some errors ("... in JSON at position 60")
 * and not for others ("Unexpected token 'x', ... is not valid JSON", "Unexpected end of JSON input"), so the line
 * is found by scanning the text: a small validator that stops at the first byte JSON does not allow there.
 */

const LITERALS = ['true', 'false', 'null'] as const;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * Offset of the first JSON syntax error in a text.
 * @param text the text JSON.parse refused
 * @returns the 0-based offset of the first character JSON does not allow there (the text's length when it ends too
 *   soon), or undefined when the text is valid JSON
 * @example jsonErrorOffset('{"a": x}') // 6
 */
export function jsonErrorOffset(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  // Containers still open: 'a' array, 'o' object. An explicit stack, so deep nesting cannot overflow the call stack.
  const stack: ('a' | 'o')[] = [];
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  /** Reads a string at i; returns false (i at the fault) when it is not one. */
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return true;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return (i += 2), false;
          i += 6;
        } else if (e !== undefined && ESCAPES.has(e)) i += 2;
        else return (i += 1), false;
      } else if (c.charCodeAt(0) < 0x20) return false;
      else i++;
    }
    return false;
  };
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  const digits = (): boolean => {
    if (!isDigit(text[i])) return false;
    while (isDigit(text[i])) i++;
    return true;
  };
  /** Reads a number at i; returns false (i at the fault, as V8 reports it) when it is not one. */
  const number = (): boolean => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (!digits()) return false;
    if (text[i] === '.') {
      i++;
      if (!digits()) return false;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digits()) return false;
    }
    return true;
  };
  /** Reads `"key" :` at i (after `{` or `,` in an object). */
  const key = (): boolean => {
    ws();
    if (!string()) return false;
    ws();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  for (;;) {
    // A value is expected at i.
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else {
        stack.push('o');
        if (!key()) return i;
        continue;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else {
        stack.push('a');
        continue;
      }
    } else if (c === '"') {
      if (!string()) return i;
    } else if (c !== undefined && (c === '-' || isDigit(c))) {
      if (!number()) return i;
    } else {
      const lit = LITERALS.find((l) => text.startsWith(l, i));
      if (lit === undefined) return i;
      i += lit.length;
    }
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return i < n ? i : undefined;
      const d = text[i];
      if (d === ',') {
        i++;
        if (top === 'o' && !key()) return i;
        break;
      }
      if ((top === 'a' && d === ']') || (top === 'o' && d === '}')) {
        stack.pop();
        i++;
        continue;
      }
      return i;
    }
  }
}

/**
 * Line and column (1-based) of a JSON syntax error, for messages.
 * @param text the text JSON.parse refused
 * @returns where the error is, or undefined when the text is valid JSON
 * @example jsonErrorLocation('{\n"a": x}') // { line: 2, column: 6 }
 */
export function jsonErrorLocation(text: string): { line: number; column: number } | undefined {
  const at = jsonErrorOffset(text);
  if (at === undefined) return undefined;
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < at; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: at - lineStart + 1 };
}

/**
 * JSON.parse's message without the parts that repeat the input or the position (V8 quotes up to a screenful of the
 * text, newlines included), for a one-line message that gives the line and column itself.
 * @param message JSON.parse's error message
 * @returns e.g. `Unexpected token 'x'`, `Expected ',' or ']' after array element`
 */
export function jsonErrorReason(message: string): string {
  return message.split('\n')[0]!.replace(/, (?:\.\.\.)?".*$/s, '').replace(/ in JSON at position \d+.*$/s, '').replace(/ \(line \d+ column \d+\)$/, '');
}
