// What docs/mobile.md claims about Amplify's mobile codegen, checked on the output of `npm run codegen:mobile`
// (scripts/codegen-mobile.mjs: Amplify's own model generator on ../schema.graphql). No mobile toolchain runs here:
// this proves the generated names and shapes, not that an app compiles. Reads files; no network.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

// Compiled to dist/test/: the package root is two levels up.
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPO_ROOT = join(PACKAGE_ROOT, '..');

/**
 * Type names that the AWS SDKs and Amplify libraries of our client platforms already export at the top level of
 * a module an app imports next to the generated models. A generated type with one of these names forces import
 * aliases in exactly the code that converts one into the other (the credential provider).
 */
const TAKEN: Record<string, string> = {
  Credentials:
    'AWS SDK for Kotlin (aws.smithy.kotlin.runtime.auth.awscredentials.Credentials, what a CredentialsProvider returns); ' +
    'AWS SDK for JavaScript v3 (@aws-sdk/types, @aws-sdk/client-sts); AWS SDK for Java v1 STS model; aws-types (Rust)',
  CredentialsProvider: 'AWS SDK for Kotlin (aws.smithy.kotlin.runtime.auth.awscredentials.CredentialsProvider)',
  AWSCredentials: 'Amplify Swift (AWSPluginsCore); aws_common / amplify_core (Dart); Amplify JS',
  AWSTemporaryCredentials: 'Amplify Swift (AWSPluginsCore)',
  AWSCredentialsProvider: 'aws_common / amplify_core (Dart); Amplify Swift (AWSPluginsCore)',
  AWSCredentialIdentity: 'AWS SDK for Swift (AWSSDKIdentity)',
  AWSCredentialIdentityResolver: 'AWS SDK for Swift (AWSSDKIdentity)',
  AwsCredentialIdentity: 'AWS SDK for JavaScript v3 (@smithy/types)',
  AwsCredentialIdentityProvider: 'AWS SDK for JavaScript v3 (@smithy/types)',
};

/** Generated top-level type names per target, from the generated file names (one type per file). */
async function generatedTypeNames(target: 'swift' | 'java' | 'dart'): Promise<Map<string, string>> {
  const script = (await import(pathToFileURL(join(PACKAGE_ROOT, 'scripts', 'codegen-mobile.mjs')).href)) as {
    generateMobile: (target: string) => Promise<Record<string, string>>;
  };
  const files = await script.generateMobile(target);
  const names = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    const base = path.split('/').pop()!.replace(/\.(swift|java|dart)$/, '');
    if (base.includes('+') || /ModelProvider$|^AmplifyModels$/.test(base)) continue; // extensions and registries
    names.set(base, text);
  }
  return names;
}

describe('Amplify mobile codegen on schema.graphql (docs/mobile.md)', () => {
  for (const target of ['swift', 'java', 'dart'] as const) {
    it(`${target}: no generated type takes a name the AWS SDK or Amplify already exports`, async () => {
      const names = [...(await generatedTypeNames(target)).keys()];
      // The control: the generator still makes what the docs' snippets use.
      for (const expected of ['VendedCredentials', 'ScopeInfo', 'Scope']) assert.ok(names.includes(expected), `${target}: no ${expected}`);
      for (const name of names) assert.equal(TAKEN[name], undefined, `${target}: generated ${name} clashes with ${TAKEN[name]}`);
    });
  }

  it('the list of taken names would catch the name this schema used before the rename', () => {
    assert.ok(TAKEN.Credentials?.includes('Kotlin'));
  });

  it('Dart: the generated toString() prints the secret key and session token, so docs/mobile.md overrides it', async () => {
    const dart = (await generatedTypeNames('dart')).get('VendedCredentials');
    assert.ok(dart, 'no VendedCredentials.dart');
    const toString = /String toString\(\) \{([\s\S]*?)\n  \}/.exec(dart)?.[1] ?? '';
    assert.match(toString, /secretAccessKey=/);
    assert.match(toString, /sessionToken=/);
    const doc = await readFile(join(REPO_ROOT, 'docs', 'mobile.md'), 'utf8');
    // A Dart extension cannot override an instance method, and the generated class cannot be extended (its only
    // generative constructor is private): the override lives on the app's own class.
    assert.match(doc, /class VendedSession \{[\s\S]*?@override\s+String toString\(\) =>/);
  });

  it('Swift: the generated struct has no description of its own, so docs/mobile.md adds one', async () => {
    const swift = (await generatedTypeNames('swift')).get('VendedCredentials');
    assert.ok(swift, 'no VendedCredentials.swift');
    assert.match(swift, /public struct VendedCredentials: Embeddable/);
    assert.doesNotMatch(swift, /CustomStringConvertible|description/);
    const doc = await readFile(join(REPO_ROOT, 'docs', 'mobile.md'), 'utf8');
    assert.match(doc, /extension VendedCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable/);
  });
});
