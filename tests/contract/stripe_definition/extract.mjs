// Dumps, for each Stripe object interface of a stripe-node package, its fields: whether each is
// always present (`field: T | null`) or optional (`field?: T`), and its type, nested objects
// resolved. Used by tests/contract/test_definition.py; reads the .d.ts files with the TypeScript
// compiler's own checker (no regular expressions over TypeScript).
import ts from "typescript";
import path from "node:path";

const [pkg, ...names] = process.argv.slice(2);
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.join(here, "node_modules", pkg);
const entry = path.join(root, "esm", "stripe.esm.node.d.ts");
const program = ts.createProgram([entry], { strict: true, skipLibCheck: true, noEmit: true });
const checker = program.getTypeChecker();

function findInterface(qualified) {
  // "Customer", "BillingPortal.Configuration": exported from esm/resources/*.d.ts
  const [space, name] = qualified.includes(".") ? qualified.split(".") : [null, qualified];
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.includes(`${path.sep}resources${path.sep}`)) continue;
    if (space && !file.fileName.includes(`${path.sep}${space}${path.sep}`)) continue;
    if (!space && /resources\/[A-Z][A-Za-z]+\//.test(file.fileName.split(root)[1] || "")) continue;
    const sym = checker.getSymbolAtLocation(file);
    if (!sym) continue;
    const exports = checker.getExportsOfModule(sym);
    let exp = exports.find((s) => s.getName() === name);
    if (!exp && space) {
      // Parameter interfaces sit in the file's `namespace BillingPortal { ... }`.
      for (const ns of exports.filter((s) => s.getName() === space)) {
        exp = checker.getExportsOfModule(ns).find((s) => s.getName() === name) || exp;
      }
    }
    if (exp && exp.flags & ts.SymbolFlags.Interface) return checker.getDeclaredTypeOfSymbol(exp);
  }
  return null;
}

// Named object types are described once, in `types`, and referred to by their qualified name, so
// that types used in many places (an address, an expandable customer) are written out once.
const types = {};

function keyOf(type) {
  // The declaring file tells namespaces apart (BillingPortal.Session and Checkout.Session are
  // both `Session`); the fully qualified text tells generic instantiations apart (ApiList<T>).
  const sym = type.aliasSymbol || type.getSymbol();
  const decl = sym && (sym.declarations || [])[0];
  const file = decl ? path.relative(root, decl.getSourceFile().fileName) : "";
  return `${file}#${checker.typeToString(type, undefined, ts.TypeFormatFlags.UseFullyQualifiedType | ts.TypeFormatFlags.NoTruncation)}`;
}

function describe(type) {
  if (type.isUnion()) return { kind: "union", of: type.types.map((t) => describe(t)) };
  if (type.flags & ts.TypeFlags.Null) return { kind: "null" };
  if (type.flags & ts.TypeFlags.Undefined || type.flags & ts.TypeFlags.Void) return { kind: "undefined" };
  if (type.flags & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral)) return { kind: "string", value: type.isStringLiteral() ? type.value : undefined };
  if (type.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return { kind: "number" };
  if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { kind: "boolean" };
  if (type.flags & ts.TypeFlags.Any || type.flags & ts.TypeFlags.Unknown) return { kind: "any" };
  if (checker.isArrayType(type)) {
    const [item] = checker.getTypeArguments(type);
    return { kind: "array", items: describe(item) };
  }
  const name = checker.typeToString(type);
  if (name === "Decimal") return { kind: "string" };
  if (type.flags & ts.TypeFlags.Object) {
    const index = type.getStringIndexType();
    const props = type.getProperties();
    if (index && props.length === 0) return { kind: "map", values: describe(index) };
    const key = keyOf(type) || name;
    if (!(key in types)) {
      types[key] = null; // being described (recursive types refer to themselves)
      const fields = {};
      for (const prop of props) {
        const decl = prop.valueDeclaration || (prop.declarations || [])[0];
        if (!decl) continue;
        fields[prop.getName()] = {
          optional: Boolean(prop.flags & ts.SymbolFlags.Optional),
          type: describe(checker.getTypeOfSymbolAtLocation(prop, decl)),
        };
      }
      types[key] = { kind: "object", name, fields };
    }
    return { kind: "ref", name: key };
  }
  return { kind: "any", text: name };
}

const roots = {};
for (const qualified of names) {
  const type = findInterface(qualified);
  roots[qualified] = type ? describe(type) : null;
}
process.stdout.write(JSON.stringify({ roots, types }));
