import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import type { Declaration, Definition, TypeSpec, Value } from '../../../src/xdr/generator/ast.js';
import { parseXdr } from '../../../src/xdr/generator/parser.js';
import { XdrReader, XdrWriter } from '../../../src/xdr/index.js';
import { repoRoot } from '../../helpers/repo.js';

/** A seeded PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Makes random values of any type defined in one .x file, following the same rules as the generator. */
class ValueMaker {
  private readonly defs = new Map<string, Definition>();
  private readonly consts = new Map<string, bigint>([
    ['TRUE', 1n],
    ['FALSE', 0n],
  ]);
  private readonly listNext = new Map<string, string>();

  constructor(
    definitions: Definition[],
    private readonly rand: () => number,
  ) {
    for (const d of definitions) {
      if (d.kind === 'const') this.consts.set(d.name, this.value(d.value));
      if (d.kind === 'enum') for (const m of d.members) this.consts.set(m.name, this.value(m.value));
      if (d.kind !== 'const' && d.kind !== 'program') this.defs.set(d.name, d);
    }
    for (const d of definitions) {
      if (d.kind !== 'struct') continue;
      const last = d.fields.at(-1);
      if (last && last.kind !== 'void' && this.optionalTarget(last) === d.name)
        this.listNext.set(d.name, last.name);
    }
  }

  private value(v: Value): bigint {
    return v.kind === 'number' ? v.value : this.consts.get(v.name)!;
  }

  private optionalTarget(d: Declaration): string | undefined {
    if (d.kind === 'optional' && d.type.kind === 'named') return d.type.name;
    if (d.kind === 'scalar' && d.type.kind === 'named') {
      const t = this.defs.get(d.type.name);
      if (t?.kind === 'typedef') return this.optionalTarget(t.decl);
    }
    return undefined;
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }

  spec(t: TypeSpec, depth: number): unknown {
    switch (t.kind) {
      case 'int':
        return t.unsigned ? this.int(2 ** 32) : this.int(2 ** 32) - 2 ** 31;
      case 'hyper': {
        const v = (BigInt(this.int(2 ** 32)) << 32n) | BigInt(this.int(2 ** 32));
        return t.unsigned ? v : BigInt.asIntN(64, v);
      }
      case 'bool':
        return this.rand() < 0.5;
      case 'named':
        return this.named(t.name, depth);
      default:
        throw new Error('unsupported');
    }
  }

  named(name: string, depth: number): unknown {
    const d = this.defs.get(name)!;
    switch (d.kind) {
      case 'enum':
        return Number(this.value(d.members[this.int(d.members.length)]!.value));
      case 'typedef':
        return this.decl(d.decl, depth);
      case 'struct': {
        const out: Record<string, unknown> = {};
        for (const f of d.fields) {
          if (f.kind === 'void' || f.name === this.listNext.get(name)) continue;
          out[f.name] = this.decl(f, depth + 1);
        }
        return out;
      }
      case 'union': {
        const disc = d.discriminant;
        const choices = d.arms.length + (d.defaultArm ? 1 : 0);
        const pick = this.int(choices);
        const arm = d.arms[pick];
        const out: Record<string, unknown> = {};
        let decl: Declaration;
        if (arm) {
          const label = this.value(arm.labels[this.int(arm.labels.length)]!);
          out[disc.name] = this.isBool(disc.type) ? label === 1n : Number(label);
          decl = arm.decl;
        } else {
          const taken = new Set(d.arms.flatMap((a) => a.labels.map((l) => Number(this.value(l)))));
          const candidates = this.discriminantValues(disc.type).filter((v) => !taken.has(v));
          if (candidates.length === 0) return this.named(name, depth);
          const chosen = candidates[this.int(candidates.length)]!;
          out[disc.name] = this.isBool(disc.type) ? chosen === 1 : chosen;
          decl = d.defaultArm!;
        }
        if (decl.kind !== 'void') out[decl.name] = this.decl(decl, depth + 1);
        return out;
      }
      default:
        throw new Error(`unexpected ${name}`);
    }
  }

  private isBool(t: TypeSpec): boolean {
    if (t.kind === 'bool') return true;
    const d = t.kind === 'named' ? this.defs.get(t.name) : undefined;
    return d?.kind === 'typedef' && d.decl.kind === 'scalar' && this.isBool(d.decl.type);
  }

  private discriminantValues(t: TypeSpec): number[] {
    if (t.kind === 'bool') return [0, 1];
    if (t.kind === 'named') {
      const d = this.defs.get(t.name)!;
      if (d.kind === 'enum') return d.members.map((m) => Number(this.value(m.value)));
      if (d.kind === 'typedef' && d.decl.kind === 'scalar') return this.discriminantValues(d.decl.type);
    }
    return [this.int(1000) + 1000];
  }

  private smallLength(max: Value | null, cap: number): number {
    const limit = max === null ? cap : Math.min(cap, Number(this.value(max)));
    return this.int(limit + 1);
  }

  decl(d: Declaration, depth: number): unknown {
    const listy = depth > 6 ? 0 : 3;
    switch (d.kind) {
      case 'void':
        return undefined;
      case 'scalar':
        return this.spec(d.type, depth);
      case 'fixedArray':
        return Array.from({ length: Number(this.value(d.size)) }, () => this.spec(d.type, depth + 1));
      case 'varArray':
        return Array.from({ length: this.smallLength(d.max, listy) }, () => this.spec(d.type, depth + 1));
      case 'opaqueFixed':
        return this.bytes(Number(this.value(d.size)));
      case 'opaqueVar':
      case 'string':
        return this.bytes(this.smallLength(d.max, 21));
      case 'optional': {
        const target = d.type.kind === 'named' ? d.type.name : undefined;
        if (target && this.listNext.has(target)) {
          return Array.from({ length: this.int(listy + 1) }, () => this.named(target, depth + 1));
        }
        return this.rand() < 0.5 || depth > 6 ? null : this.spec(d.type, depth + 1);
      }
    }
  }
}

const root = repoRoot();
const files = readdirSync(join(root, 'xdr')).filter((f) => f.endsWith('.x'));

describe('every generated XDR type', () => {
  for (const file of files) {
    it(`round-trips random values of each type in xdr/${file} (encode, then decode gives the same value)`, async () => {
      const spec = parseXdr(file, readFileSync(join(root, 'xdr', file), 'utf8'));
      const mod = (await import(`../../../src/xdr/generated/${basename(file, '.x')}.js`)) as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      const maker = new ValueMaker(spec.definitions, prng(1813));
      let checked = 0;
      for (const d of spec.definitions) {
        if (d.kind === 'const' || d.kind === 'program') continue;
        for (let i = 0; i < 25; i++) {
          const value = maker.named(d.name, 0);
          const w = new XdrWriter();
          mod[`encode_${d.name}`]!(w, value);
          const bytes = w.finishConcat();
          assert.equal(bytes.length % 4, 0, `${d.name}: XDR output is a multiple of 4 bytes`);
          const r = new XdrReader(bytes);
          const back = mod[`decode_${d.name}`]!(r);
          assert.deepEqual(back, value, `${d.name} did not round-trip`);
          assert.equal(r.remaining, 0, `${d.name}: decoding consumed every byte`);
        }
        checked++;
      }
      assert.ok(checked > 5, 'the file defines types');
    });
  }
});
