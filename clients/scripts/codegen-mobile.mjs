// Generates the Amplify mobile models (Swift, Java for Android/Kotlin, Dart for Flutter) from ../schema.graphql with
// Amplify's own model generator, the library behind `amplify codegen models`. Writes files only.
//
//   npm run codegen:mobile -- --target swift|java|dart --out <directory of your app>
//
// Nothing is checked in: the models belong to your app. test/mobile.test.ts checks what docs/mobile.md says about them.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateModels } from '@aws-amplify/graphql-generator';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCHEMA_PATH = join(HERE, '..', '..', 'schema.graphql');
export const TARGETS = ['swift', 'java', 'dart'];

/** { relative path: source } for one target. The schema goes in as AppSync sees it (see codegen.mjs). */
export async function generateMobile(target) {
  if (!TARGETS.includes(target)) throw new Error(`--target must be one of ${TARGETS.join(', ')}`);
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  return generateModels({ schema, target, directives: '' });
}

async function main() {
  const { values } = parseArgs({ options: { target: { type: 'string' }, out: { type: 'string' } } });
  if (!values.target || !values.out) {
    console.error('usage: npm run codegen:mobile -- --target swift|java|dart --out <directory>');
    process.exit(2);
  }
  const files = await generateMobile(values.target);
  for (const [path, text] of Object.entries(files)) {
    const file = resolve(values.out, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    console.log(`wrote ${file}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main().catch((error) => {
    console.error(`codegen:mobile: ${error.message}`);
    process.exit(1);
  });
}
