/**
 * Progress on stderr for long RAG commands: a redrawn bar when stderr is a terminal, otherwise a
 * plain line at most every `intervalMs` (logs and CI keep a readable record, not carriage returns).
 */
import type { CliOutput } from '../io.js';

export interface ProgressUpdate {
  done: number;
  total: number;
  /** Appended to the line, e.g. `412 chunks`. */
  detail?: string;
}

export interface ProgressReporter {
  update(progress: ProgressUpdate): void;
  /** Ends the bar's line (TTY) so what follows starts on a clean line. */
  done(): void;
}

export interface ProgressOptions {
  /** `documents`, `questions`… */
  unit: string;
  /** Default: whether `out` is a terminal. */
  tty?: boolean;
  /** Non-TTY: at most one line per interval (the last update is always printed). Default 2000 ms. */
  intervalMs?: number;
  now?: () => number;
}

const BAR_WIDTH = 28;

export function createProgressReporter(out: CliOutput, options: ProgressOptions): ProgressReporter {
  const tty = options.tty ?? (out as { isTTY?: boolean }).isTTY === true;
  const intervalMs = options.intervalMs ?? 2000;
  const now = options.now ?? Date.now;
  let lastLine = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update({ done, total, detail }) {
      const share = total === 0 ? 1 : Math.min(1, done / total);
      const suffix = detail === undefined ? '' : `, ${detail}`;
      if (tty) {
        const filled = Math.round(share * BAR_WIDTH);
        out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${options.unit}${suffix}\x1b[K`);
        drawn = true;
        return;
      }
      const t = now();
      if (t - lastLine < intervalMs && done < total) return;
      lastLine = t;
      out.write(`${done}/${total} ${options.unit} (${Math.round(share * 100)}%)${suffix}\n`);
    },
    done() {
      if (tty && drawn) out.write('\n');
      drawn = false;
    },
  };
}
