/**
 * The environment the bench gives every program it runs (the tools it times, Floe's stack, the
 * helpers): the few variables a process needs to run, nothing else of the caller's shell. The
 * machine's own settings would otherwise enter the comparison for one tool and not another: on the
 * machines the numbers in docs/benchmarks.md come from, NODE_EXTRA_CA_CERTS names the system CA
 * bundle, and Node parses it at every start, about 80 ms before the first line of any Node program.
 * Each tool gets its own settings on top (RESTIC_*, BORG_*, FLOE_*).
 */
const PASSED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TMPDIR'] as const;

export function benchEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(PASSED.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
}
