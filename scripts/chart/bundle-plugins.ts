/**
 * esbuild plugins that keep the chart's CLI bundle small enough for the Helm release Secret, which
 * holds the compressed bundle (in the rendered ConfigMap) within 1 MiB. They drop code and data the
 * in-cluster CLI never uses; test/chart/bundle.test.ts runs the bundle (migrate, seed, verify).
 */
import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';

/**
 * Modules the in-cluster CLI never runs, replaced by a module that throws if it ever is: `adm-zip`
 * (what cassandra-driver uses to open DataStax Astra secure bundles, which the chart does not use).
 */
const STUBBED = /^adm-zip$/;
export const stubUnused: Plugin = {
  name: 'stub-unused-modules',
  setup(build) {
    build.onResolve({ filter: STUBBED }, ({ path }) => ({ path, namespace: 'agentstore-stub' }));
    // Loading must succeed (cassandra-driver requires adm-zip at start-up); only a use throws.
    build.onLoad({ filter: /.*/, namespace: 'agentstore-stub' }, ({ path }) => ({
      contents: `const fail = () => { throw new Error(${JSON.stringify(`${path} is not part of the in-cluster agentstore bundle`)}); };
const stub = new Proxy(function () {}, { apply: fail, construct: fail, get: (_, key) => (key === '__esModule' ? false : stub) });
module.exports = stub;`,
      loader: 'js',
    }));
  },
};

/** zod ships error messages in ~50 languages behind z.locales; the CLI uses the default, English. */
export const zodLocales: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, ({ path }) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: dirname(path),
      loader: 'js',
    }));
  },
};

/**
 * In a single-file bundle every module shares the bundle's import.meta.url, so a "run main() when I
 * am the entry point" guard (`import.meta.url === \`file://${process.argv[1]}\``) fires for every
 * command. Fail the build and name the file instead of shipping a CLI that starts the wrong program.
 */
export const noEntryGuards: Plugin = {
  name: 'no-entry-point-guards',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      if (/import\.meta\.url\s*===?\s*`file:\/\/\$\{process\.argv\[1\]\}`/.test(text)) {
        return {
          errors: [
            {
              text: `${relative(build.initialOptions.absWorkingDir ?? process.cwd(), path)} runs itself when import.meta.url is process.argv[1]: in the bundle that is true for every module. Move the entry point to its own file that the CLI does not import.`,
            },
          ],
        };
      }
      return undefined;
    });
  },
};
