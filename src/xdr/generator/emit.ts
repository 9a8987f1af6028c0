import type {
  Declaration,
  Definition,
  EnumDef,
  ProgramDef,
  Specification,
  StructDef,
  TypedefDef,
  TypeSpec,
  UnionDef,
  Value,
} from './ast.js';

const UNBOUNDED = 0xffffffff;

/**
 * Emits one TypeScript module for one XDR file: a type per definition, decode_X/encode_X functions,
 * constants and a procedure table per program version. Linked lists (a struct whose last field points to
 * its own type) become arrays, read and written iteratively.
 */
export function emitTypeScript(spec: Specification, runtimeImport: string): string {
  return new Emitter(spec, runtimeImport).emit();
}

class Emitter {
  private readonly consts = new Map<string, bigint>();
  private readonly types = new Map<string, Definition>();
  private readonly enumOfMember = new Map<string, string>();
  /** List-node struct name -> name of its `next` field. */
  private readonly listNodes = new Map<string, string>();
  private readonly out: string[] = [];
  private readonly procConsts = new Map<string, bigint>();

  constructor(
    private readonly spec: Specification,
    private readonly runtimeImport: string,
  ) {
    this.consts.set('TRUE', 1n);
    this.consts.set('FALSE', 0n);
    for (const d of spec.definitions) {
      if (d.kind === 'const') this.consts.set(d.name, this.valueOf(d.value));
      else if (d.kind === 'enum') {
        for (const m of d.members) {
          this.consts.set(m.name, this.valueOf(m.value));
          this.enumOfMember.set(m.name, d.name);
        }
      }
      if (d.kind !== 'const' && d.kind !== 'program') {
        if (this.types.has(d.name)) throw new Error(`${spec.file}: ${d.name} defined twice`);
        this.types.set(d.name, d);
      }
    }
    for (const d of spec.definitions) {
      if (d.kind !== 'struct') continue;
      const last = d.fields[d.fields.length - 1];
      if (last && last.kind !== 'void' && this.optionalTarget(last) === d.name)
        this.listNodes.set(d.name, last.name);
    }
  }

  private valueOf(v: Value): bigint {
    if (v.kind === 'number') return v.value;
    const c = this.consts.get(v.name);
    if (c === undefined) throw new Error(`${this.spec.file}: unknown constant ${v.name}`);
    return c;
  }

  private num(v: Value | null): number {
    return v === null ? UNBOUNDED : Number(this.valueOf(v));
  }

  /** If the declaration is (or is a typedef of) `T *x`, returns T. */
  private optionalTarget(d: Declaration): string | undefined {
    if (d.kind === 'optional' && d.type.kind === 'named') return d.type.name;
    if (d.kind === 'scalar' && d.type.kind === 'named') {
      const t = this.types.get(d.type.name);
      if (t?.kind === 'typedef') return this.optionalTarget(t.decl);
    }
    return undefined;
  }

  private lookup(name: string): Exclude<Definition, { kind: 'const' | 'program' }> {
    const t = this.types.get(name);
    if (!t || t.kind === 'const' || t.kind === 'program')
      throw new Error(`${this.spec.file}: unknown type ${name}`);
    return t;
  }

  // ---- type specifiers -------------------------------------------------------------------------

  private tsOfSpec(t: TypeSpec): string {
    switch (t.kind) {
      case 'int':
        return 'number';
      case 'hyper':
        return 'bigint';
      case 'bool':
        return 'boolean';
      case 'float':
      case 'double':
        throw new Error('floating point is not supported');
      case 'named':
        this.lookup(t.name);
        return t.name;
    }
  }

  /** Typedefs of a primitive or opaque are inlined on hot paths instead of calling decode_X. */
  private inlineTypedef(t: TypeSpec): Declaration | undefined {
    if (t.kind !== 'named') return undefined;
    const def = this.types.get(t.name);
    if (def?.kind !== 'typedef') return undefined;
    const d = def.decl;
    if (d.kind === 'scalar' && d.type.kind !== 'named') return d;
    if (d.kind === 'scalar' && d.type.kind === 'named') return this.inlineTypedef(d.type) ?? undefined;
    if (d.kind === 'opaqueFixed' || d.kind === 'opaqueVar' || d.kind === 'string') return d;
    return undefined;
  }

  private decodeSpec(t: TypeSpec): string {
    switch (t.kind) {
      case 'int':
        return t.unsigned ? 'r.uint32()' : 'r.int32()';
      case 'hyper':
        return t.unsigned ? 'r.uhyper()' : 'r.hyper()';
      case 'bool':
        return 'r.bool()';
      case 'float':
      case 'double':
        throw new Error('floating point is not supported');
      case 'named': {
        const inline = this.inlineTypedef(t);
        if (inline) return this.decodeDecl(inline);
        this.lookup(t.name);
        return `decode_${t.name}(r)`;
      }
    }
  }

  private encodeSpec(t: TypeSpec, v: string): string {
    switch (t.kind) {
      case 'int':
        return t.unsigned ? `w.uint32(${v})` : `w.int32(${v})`;
      case 'hyper':
        return t.unsigned ? `w.uhyper(${v})` : `w.hyper(${v})`;
      case 'bool':
        return `w.bool(${v})`;
      case 'float':
      case 'double':
        throw new Error('floating point is not supported');
      case 'named': {
        const inline = this.inlineTypedef(t);
        if (inline) return this.encodeDecl(inline, v);
        this.lookup(t.name);
        return `encode_${t.name}(w, ${v})`;
      }
    }
  }

  private minBytes(t: TypeSpec): number {
    if (t.kind === 'hyper') return 8;
    return 4;
  }

  // ---- declarations ----------------------------------------------------------------------------

  private tsOfDecl(d: Declaration): string {
    switch (d.kind) {
      case 'void':
        return 'undefined';
      case 'scalar':
        return this.tsOfSpec(d.type);
      case 'fixedArray':
      case 'varArray':
        return `${this.wrap(this.tsOfSpec(d.type))}[]`;
      case 'opaqueFixed':
      case 'opaqueVar':
      case 'string':
        return 'Buffer';
      case 'optional': {
        const target = d.type.kind === 'named' ? d.type.name : undefined;
        if (target && this.listNodes.has(target)) return `${target}[]`;
        return `${this.tsOfSpec(d.type)} | null`;
      }
    }
  }

  private wrap(ts: string): string {
    return /[|&]/.test(ts) ? `(${ts})` : ts;
  }

  private decodeDecl(d: Declaration): string {
    switch (d.kind) {
      case 'void':
        return 'undefined';
      case 'scalar':
        return this.decodeSpec(d.type);
      case 'fixedArray':
        return `readFixedArray(r, ${this.num(d.size)}, (r) => ${this.decodeSpec(d.type)})`;
      case 'varArray':
        return `readVarArray(r, ${this.num(d.max)}, ${this.minBytes(d.type)}, (r) => ${this.decodeSpec(d.type)})`;
      case 'opaqueFixed':
        return `r.opaqueFixed(${this.num(d.size)})`;
      case 'opaqueVar':
      case 'string':
        return `r.opaqueVar(${this.num(d.max)})`;
      case 'optional': {
        const target = d.type.kind === 'named' ? d.type.name : undefined;
        if (target && this.listNodes.has(target)) return `readList(r, decode_${target})`;
        return `(r.bool() ? ${this.decodeSpec(d.type)} : null)`;
      }
    }
  }

  private encodeDecl(d: Declaration, v: string): string {
    switch (d.kind) {
      case 'void':
        return '';
      case 'scalar':
        return this.encodeSpec(d.type, v);
      case 'fixedArray':
        return `writeFixedArray(w, ${v}, ${this.num(d.size)}, (w, x) => ${this.encodeSpec(d.type, 'x')})`;
      case 'varArray':
        return `writeVarArray(w, ${v}, ${this.num(d.max)}, (w, x) => ${this.encodeSpec(d.type, 'x')})`;
      case 'opaqueFixed':
        return `w.opaqueFixed(${v}, ${this.num(d.size)})`;
      case 'opaqueVar':
        return `w.opaqueVar(${v}, ${this.num(d.max)})`;
      case 'string':
        return `w.string(${v}, ${this.num(d.max)})`;
      case 'optional': {
        const target = d.type.kind === 'named' ? d.type.name : undefined;
        if (target && this.listNodes.has(target)) return `writeList(w, ${v}, encode_${target})`;
        return `if (${v} === null) w.bool(false); else { w.bool(true); ${this.encodeSpec(d.type, v)}; }`;
      }
    }
  }

  // ---- definitions -----------------------------------------------------------------------------

  emit(): string {
    const o = this.out;
    for (const d of this.spec.definitions) {
      switch (d.kind) {
        case 'const':
          o.push(`export const ${d.name} = ${this.valueOf(d.value)};`, '');
          break;
        case 'enum':
          this.emitEnum(d);
          break;
        case 'typedef':
          this.emitTypedef(d);
          break;
        case 'struct':
          this.emitStruct(d);
          break;
        case 'union':
          this.emitUnion(d);
          break;
        case 'program':
          this.emitProgram(d);
          break;
      }
    }
    const body = o
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd();
    const runtime = [
      'XdrError',
      'decodeVoid',
      'encodeVoid',
      'readFixedArray',
      'readList',
      'readVarArray',
      'writeFixedArray',
      'writeList',
      'writeVarArray',
    ];
    const used = runtime.filter((n) => new RegExp(`\\b${n}\\b`).test(body));
    const types = ['ProcedureCodec', 'XdrReader', 'XdrWriter']
      .filter((n) => body.includes(n))
      .map((n) => `type ${n}`);
    const header = [
      `// Generated from ${this.spec.file} by the nfsgate XDR generator (npm run gen). Do not edit.`,
      `import { ${[...types, ...used].join(', ')} } from '${this.runtimeImport}';`,
    ];
    return `${header.join('\n')}\n\n${body}\n`;
  }

  private emitEnum(d: EnumDef): void {
    const o = this.out;
    o.push(`export const ${d.name} = {`);
    for (const m of d.members) o.push(`  ${m.name}: ${this.valueOf(m.value)},`);
    o.push('} as const;');
    o.push(`export type ${d.name} = (typeof ${d.name})[keyof typeof ${d.name}];`);
    o.push(`const ${d.name}_values: ReadonlySet<number> = new Set(Object.values(${d.name}));`);
    o.push(`export function decode_${d.name}(r: XdrReader): ${d.name} {`);
    o.push('  const v = r.int32();');
    o.push(`  if (!${d.name}_values.has(v)) throw new XdrError(\`bad ${d.name} value \${v}\`);`);
    o.push(`  return v as ${d.name};`);
    o.push('}');
    o.push(`export function encode_${d.name}(w: XdrWriter, v: ${d.name}): void {`);
    o.push('  w.int32(v);');
    o.push('}', '');
  }

  private emitTypedef(d: TypedefDef): void {
    const o = this.out;
    o.push(`export type ${d.name} = ${this.tsOfDecl(d.decl)};`);
    o.push(`export function decode_${d.name}(r: XdrReader): ${d.name} {`);
    o.push(`  return ${this.decodeDecl(d.decl)};`);
    o.push('}');
    o.push(`export function encode_${d.name}(w: XdrWriter, v: ${d.name}): void {`);
    o.push(`  ${this.encodeDecl(d.decl, 'v')};`);
    o.push('}', '');
  }

  private emitStruct(d: StructDef): void {
    const o = this.out;
    const next = this.listNodes.get(d.name);
    const fields = d.fields.filter((f) => f.kind !== 'void' && f.name !== next) as (Declaration & {
      name: string;
    })[];
    if (next)
      o.push(`/** A list node: the RFC's \`${next}\` chain is represented by arrays of ${d.name}. */`);
    o.push(`export interface ${d.name} {`);
    for (const f of fields) o.push(`  ${f.name}: ${this.tsOfDecl(f)};`);
    o.push('}');
    o.push(`export function decode_${d.name}(r: XdrReader): ${d.name} {`);
    o.push('  return {');
    for (const f of fields) o.push(`    ${f.name}: ${this.decodeDecl(f)},`);
    o.push('  };');
    o.push('}');
    o.push(`export function encode_${d.name}(w: XdrWriter, v: ${d.name}): void {`);
    for (const f of fields) o.push(`  ${this.encodeDecl(f, `v.${f.name}`)};`);
    o.push('}', '');
  }

  private discriminantKind(t: TypeSpec): { kind: 'enum'; name: string } | { kind: 'int' } | { kind: 'bool' } {
    if (t.kind === 'bool') return { kind: 'bool' };
    if (t.kind === 'int') return { kind: 'int' };
    if (t.kind === 'named') {
      const def = this.lookup(t.name);
      if (def.kind === 'enum') return { kind: 'enum', name: def.name };
      if (def.kind === 'typedef' && def.decl.kind === 'scalar') return this.discriminantKind(def.decl.type);
    }
    throw new Error(`${this.spec.file}: unsupported union discriminant type`);
  }

  private emitUnion(d: UnionDef): void {
    const o = this.out;
    const disc = d.discriminant;
    const dk = this.discriminantKind(disc.type);
    const literal = (v: Value): string => {
      const n = this.valueOf(v);
      if (dk.kind === 'bool') return n === 0n ? 'false' : 'true';
      return String(n);
    };
    const arm = (decl: Declaration): string =>
      decl.kind === 'void' ? '' : ` ${decl.name}: ${this.tsOfDecl(decl)};`;
    const variants: string[] = [];
    const allLabels: string[] = [];
    for (const a of d.arms) {
      const labels = a.labels.map(literal);
      allLabels.push(...labels);
      variants.push(`{ ${disc.name}: ${labels.join(' | ')};${arm(a.decl)} }`);
    }
    if (d.defaultArm) {
      const base = dk.kind === 'enum' ? dk.name : dk.kind === 'bool' ? 'boolean' : 'number';
      const discType =
        dk.kind === 'int' ? 'number' : allLabels.length ? `Exclude<${base}, ${allLabels.join(' | ')}>` : base;
      variants.push(`{ ${disc.name}: ${discType};${arm(d.defaultArm)} }`);
    }
    o.push(`export type ${d.name} =`);
    for (const v of variants) o.push(`  | ${v}`);
    o[o.length - 1] += ';';
    o.push(`export function decode_${d.name}(r: XdrReader): ${d.name} {`);
    o.push(`  const d = ${this.decodeSpec(disc.type)};`);
    o.push('  switch (d) {');
    const field = (decl: Declaration): string =>
      decl.kind === 'void' ? '' : `, ${decl.name}: ${this.decodeDecl(decl)}`;
    for (const a of d.arms) {
      o.push(`    ${a.labels.map((l) => `case ${literal(l)}:`).join(' ')}`);
      o.push(`      return { ${disc.name}: d${field(a.decl)} } as ${d.name};`);
    }
    o.push('    default:');
    if (d.defaultArm) o.push(`      return { ${disc.name}: d${field(d.defaultArm)} } as ${d.name};`);
    else o.push(`      throw new XdrError(\`bad ${d.name} discriminant \${d}\`);`);
    o.push('  }');
    o.push('}');
    o.push(`export function encode_${d.name}(w: XdrWriter, v: ${d.name}): void {`);
    o.push('  // biome-ignore lint/suspicious/noExplicitAny: arms are selected by the discriminant below');
    o.push('  const u = v as any;');
    o.push(`  ${this.encodeSpec(disc.type, `v.${disc.name}`)};`);
    o.push(`  switch (v.${disc.name}) {`);
    const put = (decl: Declaration): string =>
      decl.kind === 'void' ? '' : ` ${this.encodeDecl(decl, `u.${decl.name}`)};`;
    for (const a of d.arms) {
      o.push(`    ${a.labels.map((l) => `case ${literal(l)}:`).join(' ')}${put(a.decl)} return;`);
    }
    o.push('    default:');
    if (d.defaultArm) o.push(`     ${put(d.defaultArm)} return;`);
    else o.push(`      throw new RangeError(\`bad ${d.name} discriminant \${u.${disc.name}}\`);`);
    o.push('  }');
    o.push('}', '');
  }

  private procSide(t: TypeSpec | null): { ts: string; decode: string; encode: string } {
    if (t === null) return { ts: 'undefined', decode: 'decodeVoid', encode: 'encodeVoid' };
    if (t.kind === 'named' && !this.inlineTypedef(t)) {
      this.lookup(t.name);
      return { ts: t.name, decode: `decode_${t.name}`, encode: `encode_${t.name}` };
    }
    return {
      ts: this.tsOfSpec(t),
      decode: `(r: XdrReader) => ${this.decodeSpec(t)}`,
      encode: `(w: XdrWriter, v: ${this.tsOfSpec(t)}) => { ${this.encodeSpec(t, 'v')}; }`,
    };
  }

  private emitProgram(p: ProgramDef): void {
    const o = this.out;
    o.push(`export const ${p.name} = ${this.valueOf(p.number)};`);
    for (const v of p.versions) {
      o.push(`export const ${v.name} = ${this.valueOf(v.number)};`);
      for (const proc of v.procedures) {
        // Versions of one program share procedure names (RPCBVERS and RPCBVERS4): emit each name once.
        const value = this.valueOf(proc.number);
        const seen = this.procConsts.get(proc.name);
        if (seen !== undefined && seen !== value) throw new Error(`${proc.name} has two numbers`);
        if (seen === undefined) o.push(`export const ${proc.name} = ${value};`);
        this.procConsts.set(proc.name, value);
      }
      o.push(`/** Procedures of ${p.name} version ${v.name}, by name. */`);
      o.push(`export const ${v.name}_PROCEDURES = {`);
      for (const proc of v.procedures) {
        if (proc.args.length > 1) throw new Error(`${proc.name}: more than one argument is not supported`);
        const args = this.procSide(proc.args[0] ?? null);
        const res = this.procSide(proc.result);
        o.push(`  ${proc.name}: {`);
        o.push(`    proc: ${this.valueOf(proc.number)},`);
        o.push(`    name: '${proc.name}',`);
        o.push(`    decodeArgs: ${args.decode},`);
        o.push(`    encodeArgs: ${args.encode},`);
        o.push(`    decodeRes: ${res.decode},`);
        o.push(`    encodeRes: ${res.encode},`);
        o.push(
          `  } satisfies ProcedureCodec<${args.ts}, ${res.ts}> as ProcedureCodec<${args.ts}, ${res.ts}>,`,
        );
      }
      o.push('} as const;', '');
    }
  }
}
