/** The parsed form of an XDR language file (RFC 4506 section 6, plus RFC 5531 program definitions). */

export type Value = { kind: 'number'; value: bigint } | { kind: 'ref'; name: string };

export type TypeSpec =
  | { kind: 'int'; unsigned: boolean }
  | { kind: 'hyper'; unsigned: boolean }
  | { kind: 'bool' }
  | { kind: 'float' }
  | { kind: 'double' }
  | { kind: 'named'; name: string };

export type Declaration =
  | { kind: 'void' }
  | { kind: 'scalar'; name: string; type: TypeSpec }
  | { kind: 'fixedArray'; name: string; type: TypeSpec; size: Value }
  | { kind: 'varArray'; name: string; type: TypeSpec; max: Value | null }
  | { kind: 'opaqueFixed'; name: string; size: Value }
  | { kind: 'opaqueVar'; name: string; max: Value | null }
  | { kind: 'string'; name: string; max: Value | null }
  | { kind: 'optional'; name: string; type: TypeSpec };

export interface EnumDef {
  kind: 'enum';
  name: string;
  members: { name: string; value: Value }[];
}

export interface StructDef {
  kind: 'struct';
  name: string;
  fields: Declaration[];
}

export interface UnionArm {
  /** Case labels; empty for the default arm. */
  labels: Value[];
  decl: Declaration;
}

export interface UnionDef {
  kind: 'union';
  name: string;
  discriminant: Declaration & { kind: 'scalar' };
  arms: UnionArm[];
  defaultArm: Declaration | null;
}

export interface TypedefDef {
  kind: 'typedef';
  name: string;
  decl: Declaration;
}

export interface ConstDef {
  kind: 'const';
  name: string;
  value: Value;
}

export interface ProcedureDef {
  name: string;
  number: Value;
  result: TypeSpec | null;
  args: TypeSpec[];
}

export interface VersionDef {
  name: string;
  number: Value;
  procedures: ProcedureDef[];
}

export interface ProgramDef {
  kind: 'program';
  name: string;
  number: Value;
  versions: VersionDef[];
}

export type Definition = EnumDef | StructDef | UnionDef | TypedefDef | ConstDef | ProgramDef;

export interface Specification {
  file: string;
  definitions: Definition[];
}
