import type {
  Declaration,
  Definition,
  EnumDef,
  ProcedureDef,
  ProgramDef,
  Specification,
  StructDef,
  TypedefDef,
  TypeSpec,
  UnionArm,
  UnionDef,
  Value,
  VersionDef,
} from './ast.js';
import { type Token, tokenize, XdrSyntaxError } from './lexer.js';

/** Parses one XDR language file (RFC 4506 section 6.3 grammar, RFC 5531 section 12 programs). */
export function parseXdr(file: string, text: string): Specification {
  return new Parser(file, tokenize(file, text)).specification();
}

class Parser {
  private i = 0;
  constructor(
    private readonly file: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }

  private fail(message: string, t: Token = this.peek()): never {
    throw new XdrSyntaxError(this.file, t.line, message);
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private isWord(text: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === text;
  }

  private punct(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) this.fail(`expected '${text}'`, t);
  }

  private word(text: string): void {
    const t = this.next();
    if (t.kind !== 'ident' || t.text !== text) this.fail(`expected '${text}'`, t);
  }

  private ident(): string {
    const t = this.next();
    if (t.kind !== 'ident') this.fail('expected an identifier', t);
    return t.text;
  }

  private value(): Value {
    const t = this.next();
    if (t.kind === 'number') return { kind: 'number', value: t.value };
    if (t.kind === 'ident') return { kind: 'ref', name: t.text };
    return this.fail('expected a constant or a name', t);
  }

  specification(): Specification {
    const definitions: Definition[] = [];
    while (this.peek().kind !== 'eof') definitions.push(this.definition());
    return { file: this.file, definitions };
  }

  private definition(): Definition {
    const t = this.next();
    if (t.kind !== 'ident') return this.fail('expected a definition', t);
    switch (t.text) {
      case 'const': {
        const name = this.ident();
        this.punct('=');
        const value = this.value();
        this.punct(';');
        return { kind: 'const', name, value };
      }
      case 'typedef': {
        const decl = this.declaration();
        if (decl.kind === 'void') this.fail('typedef of void', t);
        this.punct(';');
        return { kind: 'typedef', name: decl.name, decl } satisfies TypedefDef;
      }
      case 'enum': {
        const name = this.ident();
        const def = { ...this.enumBody(), name };
        this.punct(';');
        return def;
      }
      case 'struct': {
        const name = this.ident();
        const def: StructDef = { kind: 'struct', name, fields: this.structBody() };
        this.punct(';');
        return def;
      }
      case 'union': {
        const name = this.ident();
        const def = { ...this.unionBody(), name };
        this.punct(';');
        return def;
      }
      case 'program':
        return this.program();
      default:
        return this.fail(`unknown definition '${t.text}'`, t);
    }
  }

  private enumBody(): EnumDef {
    this.punct('{');
    const members: EnumDef['members'] = [];
    for (;;) {
      const name = this.ident();
      this.punct('=');
      members.push({ name, value: this.value() });
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.punct('}');
      return { kind: 'enum', name: '', members };
    }
  }

  private structBody(): Declaration[] {
    this.punct('{');
    const fields: Declaration[] = [];
    while (!this.isPunct('}')) {
      const d = this.declaration();
      if (d.kind === 'void') this.fail('void field in struct');
      fields.push(d);
      this.punct(';');
    }
    this.punct('}');
    return fields;
  }

  private unionBody(): UnionDef {
    this.word('switch');
    this.punct('(');
    const discriminant = this.declaration();
    if (discriminant.kind !== 'scalar') this.fail('union discriminant must be a scalar declaration');
    this.punct(')');
    this.punct('{');
    const arms: UnionArm[] = [];
    let defaultArm: Declaration | null = null;
    while (!this.isPunct('}')) {
      if (this.isWord('default')) {
        this.next();
        this.punct(':');
        defaultArm = this.declaration();
        this.punct(';');
        continue;
      }
      const labels: Value[] = [];
      while (this.isWord('case')) {
        this.next();
        labels.push(this.value());
        this.punct(':');
      }
      if (labels.length === 0) this.fail("expected 'case' or 'default'");
      arms.push({ labels, decl: this.declaration() });
      this.punct(';');
    }
    this.punct('}');
    return { kind: 'union', name: '', discriminant, arms, defaultArm };
  }

  private typeSpecifier(): TypeSpec {
    const t = this.next();
    if (t.kind !== 'ident') return this.fail('expected a type', t);
    switch (t.text) {
      case 'unsigned':
        if (this.isWord('int')) {
          this.next();
          return { kind: 'int', unsigned: true };
        }
        if (this.isWord('hyper')) {
          this.next();
          return { kind: 'hyper', unsigned: true };
        }
        if (this.isWord('long')) {
          this.next();
          return { kind: 'int', unsigned: true };
        }
        return { kind: 'int', unsigned: true };
      case 'int':
      case 'long':
        return { kind: 'int', unsigned: false };
      case 'hyper':
        return { kind: 'hyper', unsigned: false };
      case 'bool':
        return { kind: 'bool' };
      case 'float':
        return { kind: 'float' };
      case 'double':
        return { kind: 'double' };
      case 'struct':
      case 'union':
      case 'enum':
        if (this.peek().kind === 'ident' && !this.isPunct('{')) return { kind: 'named', name: this.ident() };
        return this.fail('anonymous nested types are not supported: give the type a name', t);
      default:
        return { kind: 'named', name: t.text };
    }
  }

  private declaration(): Declaration {
    if (this.isWord('void')) {
      this.next();
      return { kind: 'void' };
    }
    if (this.isWord('opaque') || this.isWord('string')) {
      const isString = this.isWord('string');
      this.next();
      const name = this.ident();
      if (this.isPunct('[')) {
        if (isString) this.fail('string must be variable-length');
        this.next();
        const size = this.value();
        this.punct(']');
        return { kind: 'opaqueFixed', name, size };
      }
      this.punct('<');
      const max = this.isPunct('>') ? null : this.value();
      this.punct('>');
      return isString ? { kind: 'string', name, max } : { kind: 'opaqueVar', name, max };
    }
    const type = this.typeSpecifier();
    if (this.isPunct('*')) {
      this.next();
      return { kind: 'optional', name: this.ident(), type };
    }
    const name = this.ident();
    if (this.isPunct('[')) {
      this.next();
      const size = this.value();
      this.punct(']');
      return { kind: 'fixedArray', name, type, size };
    }
    if (this.isPunct('<')) {
      this.next();
      const max = this.isPunct('>') ? null : this.value();
      this.punct('>');
      return { kind: 'varArray', name, type, max };
    }
    return { kind: 'scalar', name, type };
  }

  private program(): ProgramDef {
    const name = this.ident();
    this.punct('{');
    const versions: VersionDef[] = [];
    while (!this.isPunct('}')) {
      this.word('version');
      const vname = this.ident();
      this.punct('{');
      const procedures: ProcedureDef[] = [];
      while (!this.isPunct('}')) {
        let result: TypeSpec | null = null;
        if (this.isWord('void')) this.next();
        else result = this.typeSpecifier();
        const pname = this.ident();
        this.punct('(');
        const args: TypeSpec[] = [];
        if (this.isWord('void')) this.next();
        else {
          args.push(this.typeSpecifier());
          while (this.isPunct(',')) {
            this.next();
            args.push(this.typeSpecifier());
          }
        }
        this.punct(')');
        this.punct('=');
        procedures.push({ name: pname, result, args, number: this.value() });
        this.punct(';');
      }
      this.punct('}');
      this.punct('=');
      versions.push({ name: vname, number: this.value(), procedures });
      this.punct(';');
    }
    this.punct('}');
    this.punct('=');
    const number = this.value();
    this.punct(';');
    return { kind: 'program', name, number, versions };
  }
}
