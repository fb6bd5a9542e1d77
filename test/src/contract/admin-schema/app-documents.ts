import { relative } from 'node:path';
import { Kind, parse, visit } from 'graphql';
import { API, type Checker, type Project } from 'typescript/unstable/sync';
import {
  isArrayLiteralExpression,
  isArrowFunction,
  isBinaryExpression,
  isBlock,
  isCallExpression,
  isFunctionDeclaration,
  isForOfStatement,
  isFunctionExpression,
  isIdentifier,
  isNoSubstitutionTemplateLiteral,
  isNumericLiteral,
  isObjectLiteralExpression,
  isParameterDeclaration,
  isParenthesizedExpression,
  isPropertyAccessExpression,
  isPropertyAssignment,
  isReturnStatement,
  isShorthandPropertyAssignment,
  isStringLiteral,
  isTemplateExpression,
  isVariableDeclaration,
  SyntaxKind,
  type CallExpression,
  type Expression,
  type Node,
  type SourceFile,
} from 'typescript/unstable/ast';

/**
 * Finds every GraphQL document a package sends to Shopify, from its TypeScript source, with the TypeScript 7 API
 * (`typescript/unstable/sync`: the compiler's own parser and type checker).
 *
 * A **call site** sends GraphQL: a `.request(...)` or `.query(...)` call on a value typed as one of
 * {@link CLIENT_TYPES}, a request body built with `JSON.stringify({ query, ... })`, a JSON body string literal
 * `'{"query":...}'`, or a call of a local helper function that passes its parameter on to one of these. Each call
 * site's document must lead (through `const`s, imports, helper parameters and `for ... of` over array literals) to a
 * string or template literal; in app code that literal must be **marked**: it starts with `#graphql` or follows a
 * `/* GraphQL *\/` comment. Documents are built from constants and small pure functions (`orderNodeFields('(first:
 * 10)')`), so their text is computed here by evaluating those expressions, not by running the code. When a document
 * runs `bulkOperationRunQuery(query: $var)`, the `$var` property of the call's variables object is traced the same
 * way: the bulk query, which Shopify parses against the same schema.
 *
 * Nothing is skipped quietly: a call site whose document cannot be traced, an expression that cannot be evaluated, a
 * marked literal that no call site sends, and a `#graphql`/`/* GraphQL *\/` marker in the text that the parser did
 * not see on a literal all end up in {@link DocumentScan.problems}.
 */

/** Types whose `request`/`query` methods send GraphQL to Shopify: the app's client and `@shopify/shopify-api`'s. */
export const CLIENT_TYPES: readonly string[] = ['ShopGraphql', 'GraphqlClient'];

/**
 * Where the app's client forwards what its callers pass (`client.request(query, ...)` with `query` a parameter of
 * its `request` method): the documents are traced at those callers, found by their {@link CLIENT_TYPES} type.
 */
export const TRANSPORT_FILES: readonly string[] = ['shopify-app/src/shopify/graphql.ts'];

/** One GraphQL document in the source, with its text as sent. */
export interface FoundDocument {
  /** Repository-relative path, e.g. `shopify-app/src/sync/backfill.ts`. */
  file: string;
  /** 1-based line where the literal starts. */
  line: number;
  /** The document as sent, interpolations evaluated. */
  text: string;
  /** `operation`: sent as the query of a request; `bulk-query`: sent as `bulkOperationRunQuery`'s `query` argument. */
  role: 'operation' | 'bulk-query';
}

/** One place that sends GraphQL. */
export interface CallSite {
  file: string;
  line: number;
  /** How it sends: a {@link CLIENT_TYPES} name, `JSON body`, or `helper <name>`. */
  client: string;
  /** The documents it sends (its query, plus a bulk query passed in its variables). */
  documents: FoundDocument[];
  /** It passes on a document its caller gave it (the app's transport, a test helper); its callers are call sites. */
  forwards: boolean;
}

export interface DocumentScan {
  documents: FoundDocument[];
  callSites: CallSite[];
  /** Each thing the scan could not account for, as `file:line: what and what to do`. Empty when all is traced. */
  problems: string[];
}

/** Options of {@link scanGraphqlDocuments}. */
export interface ScanOptions {
  /** Repository root (absolute). */
  root: string;
  /** tsconfig of the project to load, relative to `root`, e.g. `shopify-app/tsconfig.json`. */
  tsconfig: string;
  /** Which source files to scan, given their repository-relative path. */
  include: (file: string) => boolean;
  /**
   * Test code, where documents are often written inline: literals need no marker, and an interpolation that cannot
   * be evaluated (`${receiver.url}`) inside a GraphQL string becomes the placeholder `x`. Default false.
   */
  testCode?: boolean;
}

const MARKER_COMMENT = /\/\*\s*GraphQL\s*\*\/\s*$/;
const MARKER_TEXT = /^\s*#graphql\b/;
/** Marker counts in the raw text, to cross-check the parser (a literal it failed to see would otherwise vanish). */
const RAW_MARKERS = /#graphql\b|\/\*\s*GraphQL\s*\*\//g;
/** Doc comments and whole-line comments, which may mention the markers without marking anything. */
const PROSE_COMMENTS = /\/\*\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;

type Value = string | number;

class ScanProblem extends Error {
  override name = 'ScanProblem';
}

/** Something that sends GraphQL: where, through what, the document expression and the variables expression. */
interface Send {
  at: Node;
  client: string;
  doc: Node;
  vars: Node | undefined;
}

/** Where a document expression leads: literals, or a parameter of a helper function. */
type Trace = { kind: 'literal'; node: Node } | { kind: 'parameter'; fn: Node; index: number; name: string };

/** Scans the files of one TypeScript project. See the module comment for the rules. */
export function scanGraphqlDocuments(options: ScanOptions): DocumentScan {
  const api = new API({ cwd: options.root });
  try {
    const snapshot = api.updateSnapshot({ openProject: options.tsconfig });
    const project = snapshot.getProjects()[0];
    if (!project) throw new Error(`TypeScript found no project for ${options.tsconfig}`);
    return scanProject(project, options);
  } finally {
    api.close();
  }
}

function scanProject(project: Project, options: ScanOptions): DocumentScan {
  const checker = project.checker;
  const testCode = options.testCode ?? false;
  const rel = (path: string): string => relative(options.root, path);
  const files = project.program
    .getSourceFileNames()
    .filter((f) => options.include(rel(f)))
    .map((f) => project.program.getSourceFile(f))
    .filter((f): f is SourceFile => f !== undefined);

  const problems: string[] = [];
  const where = (node: Node): { file: string; line: number } => {
    const sf = node.getSourceFile();
    return { file: rel(sf.fileName), line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 };
  };
  const at = (node: Node): string => {
    const w = where(node);
    return `${w.file}:${w.line}`;
  };

  // 1. Marked literals, JSON bodies, helper calls and candidate client calls, from the syntax tree.
  const marked: Node[] = [];
  const calls: { call: CallExpression; receiver: Expression }[] = [];
  const sends: Send[] = [];
  const jsonBodies: { at: Node; text: string }[] = [];
  const allCalls: CallExpression[] = [];
  for (const sf of files) {
    let markers = 0;
    const walk = (node: Node): void => {
      if (isLiteralText(node) && isMarked(node, sf)) marked.push(node);
      if (isStringLiteral(node) && /^\s*\{\s*"query"\s*:/.test(node.text)) {
        const query = (JSON.parse(node.text) as { query?: unknown }).query;
        if (typeof query === 'string') jsonBodies.push({ at: node, text: query });
      }
      if (isCallExpression(node)) {
        allCalls.push(node);
        const callee = node.expression;
        if (isPropertyAccessExpression(callee)) {
          const method = callee.name.text;
          if (method === 'request' || method === 'query') calls.push({ call: node, receiver: callee.expression });
          const body = node.arguments[0];
          if (isIdentifier(callee.expression) && callee.expression.text === 'JSON' && method === 'stringify' && body && isObjectLiteralExpression(body)) {
            const doc = propertyValue(body, 'query');
            if (doc) sends.push({ at: node, client: 'JSON body', doc, vars: propertyValue(body, 'variables') });
          }
        }
      }
      node.forEachChild(walk);
    };
    walk(sf);
    for (const node of marked)
      if (node.getSourceFile() === sf) markers += sf.text.slice(node.pos, node.end).replace(PROSE_COMMENTS, '').match(RAW_MARKERS)?.length ?? 0;
    const raw = sf.text.replace(PROSE_COMMENTS, '').match(RAW_MARKERS)?.length ?? 0;
    if (raw !== markers) {
      problems.push(
        `${rel(sf.fileName)}: the text has ${raw} #graphql or /* GraphQL */ markers but the marked string literals found hold ${markers}; ` +
          'a marker must open a string or template literal (`#graphql` as its first text) or directly precede one.',
      );
    }
  }

  // 2. Which .request/.query calls are on a GraphQL client (one batched checker round trip).
  const receiverTypes = calls.length === 0 ? [] : checker.getTypeAtLocation(calls.map((c) => c.receiver));
  for (const [i, { call }] of calls.entries()) {
    const type = receiverTypes[i];
    const client = type ? checker.typeToString(checker.getNonNullableType(type) ?? type) : '';
    if (!CLIENT_TYPES.includes(client)) continue;
    const first = call.arguments[0];
    const second = call.arguments[1];
    // shopify-api's client takes `{ variables }`; the app's ShopGraphql takes the variables themselves.
    const vars = client === 'GraphqlClient' ? (second && isObjectLiteralExpression(second) ? propertyValue(second, 'variables') : undefined) : second;
    if (!first) problems.push(`${at(call)}: ${client} call without a document`);
    else sends.push({ at: call, client, doc: first, vars });
  }

  // 3. Trace each send to its documents; a helper's parameter makes the helper's callers sends in turn.
  const documents = new Map<Node, FoundDocument>();
  const inline: FoundDocument[] = [];
  const documentOf = (literal: Node, role: FoundDocument['role']): FoundDocument => {
    const known = documents.get(literal);
    if (known) {
      if (known.role !== role) problems.push(`${at(literal)}: the same document is sent both as a request and as a bulk query`);
      return known;
    }
    const doc: FoundDocument = { ...where(literal), text: String(evaluate(literal, new Map(), checker, at, testCode)), role };
    documents.set(literal, doc);
    return doc;
  };
  const callSites: CallSite[] = jsonBodies.map((b) => {
    const doc: FoundDocument = { ...where(b.at), text: b.text, role: 'operation' };
    inline.push(doc);
    return { ...where(b.at), client: 'JSON body', documents: [doc], forwards: false };
  });
  const helpersDone = new Set<Node>();
  for (let i = 0; i < sends.length; i++) {
    const send = sends[i] as Send;
    const site: CallSite = { ...where(send.at), client: send.client, documents: [], forwards: false };
    callSites.push(site);
    try {
      const inTransport = TRANSPORT_FILES.includes(site.file);
      for (const trace of traceDocument(send.doc, checker, at)) {
        if (trace.kind === 'parameter') {
          site.forwards = true;
          if (inTransport) continue;
          if (helpersDone.has(trace.fn)) continue;
          helpersDone.add(trace.fn);
          const name = helperName(trace.fn);
          if (!name) throw new ScanProblem(`${at(send.doc)}: the document is the parameter ${trace.name} of an unnamed function; send a constant directly`);
          const varsTrace = send.vars && isIdentifier(send.vars) ? parameterIndex(send.vars, trace.fn, checker) : undefined;
          const callers = allCalls.filter(
            (c) => isIdentifier(c.expression) && c.expression.text === name && sameNode(declarationOf(c.expression, checker), trace.fn),
          );
          if (callers.length === 0) throw new ScanProblem(`${at(trace.fn)}: helper ${name} forwards a GraphQL document but no call of it was found`);
          for (const c of callers) {
            const doc = c.arguments[trace.index];
            if (!doc) throw new ScanProblem(`${at(c)}: ${name} called without its document argument`);
            sends.push({ at: c, client: `helper ${name}`, doc, vars: varsTrace === undefined ? send.vars : c.arguments[varsTrace] });
          }
          continue;
        }
        const literal = trace.node;
        if (!testCode && !isMarked(literal, literal.getSourceFile())) {
          throw new ScanProblem(`${at(literal)}: the document sent at ${at(send.at)} has no #graphql marker; start it with #graphql`);
        }
        const doc = documentOf(literal, 'operation');
        site.documents.push(doc);
        for (const bulk of bulkQueriesOf(doc, send, checker, at, testCode)) {
          if (bulk.kind === 'literal') site.documents.push(documentOf(bulk.node, 'bulk-query'));
          else {
            const d: FoundDocument = { ...doc, text: bulk.text, role: 'bulk-query' };
            inline.push(d);
            site.documents.push(d);
          }
        }
      }
    } catch (error) {
      if (!(error instanceof ScanProblem)) throw error;
      problems.push(error.message);
    }
  }

  // 4. Every marked literal is sent somewhere (else the scan missed its call site, or it is dead code).
  for (const literal of marked) {
    if (!documents.has(literal)) {
      problems.push(
        `${at(literal)}: marked GraphQL document not sent by any call site the scan could trace ` +
          '(pass the constant itself as the document, or as the bulk query variable); remove the marker if it is not a document.',
      );
    }
  }
  return { documents: [...documents.values(), ...inline], callSites, problems };
}

/** A string/template literal node (the forms a document can take). */
function isLiteralText(node: Node): boolean {
  return isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node) || isTemplateExpression(node);
}

function isMarked(node: Node, sf: SourceFile): boolean {
  let head: string;
  if (isTemplateExpression(node)) head = node.head.text;
  else if (isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node)) head = node.text;
  else return false;
  return MARKER_TEXT.test(head) || MARKER_COMMENT.test(sf.text.slice(node.pos, node.getStart(sf)));
}

/** The value expression of property `name` in an object literal (`name: x` or shorthand `name`). */
function propertyValue(obj: Node, name: string): Node | undefined {
  if (!isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) {
    if (isPropertyAssignment(p) && isIdentifier(p.name) && p.name.text === name) return p.initializer;
    if (isShorthandPropertyAssignment(p) && isIdentifier(p.name) && p.name.text === name) return p.name;
  }
  return undefined;
}

/** What an identifier refers to, through imports: its declaration node. */
function declarationOf(id: Node, checker: Checker): Node | undefined {
  // In `{ query }` the name's own symbol is the property; the value is the variable of that name.
  let symbol = id.parent && isShorthandPropertyAssignment(id.parent) ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id);
  if (symbol && symbol.declarations.some((d) => d.kind === SyntaxKind.ImportSpecifier)) symbol = checker.getAliasedSymbol(symbol);
  const handle = symbol?.valueDeclaration ?? symbol?.declarations[0];
  return handle?.resolve();
}

function sameNode(a: Node | undefined, b: Node): boolean {
  return a !== undefined && a.pos === b.pos && a.end === b.end && a.getSourceFile().fileName === b.getSourceFile().fileName;
}

/** The function a parameter declaration belongs to, with the parameter's index. */
function parameterOwner(param: Node): { fn: Node; index: number } | undefined {
  const fn = param.parent;
  if (!fn || !(isFunctionDeclaration(fn) || isArrowFunction(fn) || isFunctionExpression(fn))) return undefined;
  const index = fn.parameters.findIndex((p) => p.pos === param.pos);
  return index < 0 ? undefined : { fn, index };
}

/** Index of `id`'s parameter in `fn`, when `id` is one of `fn`'s parameters. */
function parameterIndex(id: Node, fn: Node, checker: Checker): number | undefined {
  const decl = declarationOf(id, checker);
  if (!decl || !isParameterDeclaration(decl)) return undefined;
  const owner = parameterOwner(decl);
  return owner && sameNode(owner.fn, fn) ? owner.index : undefined;
}

/** The name callers use for a helper: a function declaration's, or the `const` an arrow function is assigned to. */
function helperName(fn: Node): string | undefined {
  if (isFunctionDeclaration(fn) && fn.name) return fn.name.text;
  const parent = fn.parent;
  if (parent && isVariableDeclaration(parent) && isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}

/** Follows a document expression to the literals it can be, or to a parameter of the function it is in. */
function traceDocument(expr: Node, checker: Checker, at: (n: Node) => string): Trace[] {
  if (isLiteralText(expr)) return [{ kind: 'literal', node: expr }];
  if (isParenthesizedExpression(expr)) return traceDocument(expr.expression, checker, at);
  if (isIdentifier(expr)) {
    const decl = declarationOf(expr, checker);
    if (decl && isParameterDeclaration(decl)) {
      const owner = parameterOwner(decl);
      if (owner) return [{ kind: 'parameter', fn: owner.fn, index: owner.index, name: expr.text }];
      return [{ kind: 'parameter', fn: decl.parent, index: -1, name: expr.text }];
    }
    if (decl && isVariableDeclaration(decl)) {
      if (decl.initializer) return traceDocument(decl.initializer, checker, at);
      // `for (const query of [...])`: each element of the array literal is sent.
      const loop = decl.parent?.parent;
      if (loop && isForOfStatement(loop)) {
        const list = isIdentifier(loop.expression) ? declarationOf(loop.expression, checker) : loop.expression;
        const array = list && isVariableDeclaration(list) ? list.initializer : list;
        if (array && isArrayLiteralExpression(array)) return array.elements.flatMap((e) => traceDocument(e, checker, at));
      }
    }
    throw new ScanProblem(`${at(expr)}: cannot trace ${expr.text} to a string constant`);
  }
  throw new ScanProblem(`${at(expr)}: the document is a ${SyntaxKind[expr.kind]}; send a #graphql constant directly so it can be checked`);
}

type BulkQuery = { kind: 'inline'; text: string } | { kind: 'literal'; node: Node };

/** The bulk queries a send carries: `bulkOperationRunQuery(query:)` inline strings, or variables of its call. */
function bulkQueriesOf(doc: FoundDocument, send: Send, checker: Checker, at: (n: Node) => string, testCode: boolean): BulkQuery[] {
  let ast;
  try {
    ast = parse(doc.text);
  } catch {
    return []; // a syntax error is reported by validation, with its location
  }
  const found: BulkQuery[] = [];
  visit(ast, {
    Field(field) {
      if (field.name.value !== 'bulkOperationRunQuery') return;
      const arg = field.arguments?.find((a) => a.name.value === 'query');
      if (arg?.value.kind === Kind.STRING) found.push({ kind: 'inline', text: arg.value.value });
      if (arg?.value.kind !== Kind.VARIABLE) return;
      const name = arg.value.name.value;
      const value = send.vars ? propertyValue(send.vars, name) : undefined;
      if (!value) throw new ScanProblem(`${at(send.at)}: cannot find the bulk query variable $${name} in an object literal passed as the variables`);
      for (const trace of traceDocument(value, checker, at)) {
        if (trace.kind === 'parameter') throw new ScanProblem(`${at(value)}: the bulk query is the parameter ${trace.name}; pass a constant`);
        if (!testCode && !isMarked(trace.node, trace.node.getSourceFile())) {
          throw new ScanProblem(`${at(trace.node)}: bulk query sent at ${at(send.at)} has no marker; put /* GraphQL */ before it`);
        }
        found.push({ kind: 'literal', node: trace.node });
      }
    },
  });
  return found;
}

/**
 * The value of a document expression: literals, template strings, `+ - * /`, `const`s (also imported ones) and calls
 * of functions whose body is one `return` (or an arrow's expression), with their parameters bound. Anything else is a
 * {@link ScanProblem} naming the expression.
 */
function evaluate(node: Node, env: Map<string, Value>, checker: Checker, where: (n: Node) => string, testCode: boolean): Value {
  const at = (): string => where(node);
  const ev = (n: Node, e: Map<string, Value>): Value => evaluate(n, e, checker, where, testCode);
  if (isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (isNumericLiteral(node)) return Number(node.text);
  if (isTemplateExpression(node)) {
    let text = node.head.text;
    for (const span of node.templateSpans) {
      try {
        text += String(ev(span.expression, env));
      } catch (error) {
        // In tests, a runtime value inside a GraphQL string (an odd number of quotes so far) does not change validity.
        if (!(error instanceof ScanProblem) || !testCode || (text.match(/(?<!\\)"/g)?.length ?? 0) % 2 === 0) throw error;
        text += 'x';
      }
      text += span.literal.text;
    }
    return text;
  }
  if (isParenthesizedExpression(node)) return ev(node.expression, env);
  if (isBinaryExpression(node)) {
    const l = ev(node.left, env);
    const r = ev(node.right, env);
    switch (node.operatorToken.kind) {
      case SyntaxKind.PlusToken:
        return typeof l === 'number' && typeof r === 'number' ? l + r : String(l) + String(r);
      case SyntaxKind.MinusToken:
        return Number(l) - Number(r);
      case SyntaxKind.AsteriskToken:
        return Number(l) * Number(r);
      case SyntaxKind.SlashToken:
        return Number(l) / Number(r);
    }
  }
  if (isIdentifier(node)) {
    const bound = env.get(node.text);
    if (bound !== undefined) return bound;
    const decl = declarationOf(node, checker);
    if (decl && isVariableDeclaration(decl) && decl.initializer) return ev(decl.initializer, new Map());
    throw new ScanProblem(`${at()}: cannot evaluate ${node.text}: not a constant with an initializer`);
  }
  if (isCallExpression(node) && isIdentifier(node.expression)) {
    let fn = declarationOf(node.expression, checker);
    if (fn && isVariableDeclaration(fn) && fn.initializer) fn = fn.initializer;
    if (fn && (isFunctionDeclaration(fn) || isArrowFunction(fn) || isFunctionExpression(fn)) && fn.body) {
      const bindings = new Map<string, Value>();
      for (const [i, param] of fn.parameters.entries()) {
        if (!isIdentifier(param.name)) throw new ScanProblem(`${at()}: cannot evaluate a call with a destructured parameter`);
        const arg = node.arguments[i] ?? param.initializer;
        if (!arg) throw new ScanProblem(`${at()}: missing argument ${param.name.text}`);
        bindings.set(param.name.text, ev(arg, env));
      }
      const body = fn.body;
      if (!isBlock(body)) return ev(body, bindings);
      const [only] = body.statements;
      if (body.statements.length === 1 && only && isReturnStatement(only) && only.expression) return ev(only.expression, bindings);
    }
    throw new ScanProblem(`${at()}: cannot evaluate the call of ${node.expression.text}: keep document builders to one return of a template`);
  }
  throw new ScanProblem(`${at()}: cannot evaluate a ${SyntaxKind[node.kind]} in a GraphQL document; build documents from constants`);
}
