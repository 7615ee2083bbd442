#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/json_schema.hpp"
#include "score/typescript_schema.hpp"
#include "test_paths.hpp"

using nlohmann::json;
using namespace tb;

namespace {

// Annotations do not change which instances a schema accepts; comparing without them keeps the
// expected shapes short.
json without_annotations(json schema) {
  if (schema.is_object()) {
    for (const char* key : {"description", "$schema", "title"}) schema.erase(key);
    for (auto& [key, value] : schema.items()) {
      // "properties" and "$defs" map names to schemas: a member called "title" is not one.
      if (key == "properties" || key == "$defs") {
        for (auto& [name, sub] : value.items()) sub = without_annotations(sub);
      } else {
        value = without_annotations(value);
      }
    }
  } else if (schema.is_array()) {
    for (auto& item : schema) item = without_annotations(item);
  }
  return schema;
}

json convert_raw(std::string_view source, std::string_view type = "T") {
  TypeScriptError error;
  const auto schema = typescript_to_schema(source, type, error);
  INFO(to_string(error));
  REQUIRE(schema);
  CHECK(error.message.empty());
  return *schema;
}

json convert(std::string_view source, std::string_view type = "T") {
  return without_annotations(convert_raw(source, type));
}

// "line:column: message" of a conversion that must fail.
std::string failure(std::string_view source, std::string_view type = "T") {
  TypeScriptError error;
  const auto schema = typescript_to_schema(source, type, error);
  if (schema) FAIL_CHECK("converted: " << schema->dump());
  CHECK_FALSE(error.message.empty());
  return to_string(error);
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Instances of the demo's Term, valid and not. With `lengths`, also those that differ only in
// string lengths and item counts.
std::vector<json> term_samples(bool lengths) {
  const json valid = json::parse(R"({"term": "TLS", "definition": "It encrypts traffic.",
                                     "category": "security", "related": ["SSL", "HTTPS"]})");
  const auto with = [&](const char* key, json value) {
    json j = valid;
    j[key] = std::move(value);
    return j;
  };
  const auto without = [&](const char* key) {
    json j = valid;
    j.erase(key);
    return j;
  };
  if (lengths) {
    return {with("term", ""),
            with("definition", "Too short"),
            with("definition", "Long enough"),
            with("related", json::array()),
            with("related", json::array({"1", "2", "3", "4", "5", "6"})),
            with("related", json::array({"1", "2", "3", "4", "5", "6", "7"}))};
  }
  return {valid,
          with("category", "web"),
          with("category", "cooking"),
          with("category", "Security"),
          with("category", json::array({"web"})),
          without("category"),
          without("term"),
          with("extra", 1),
          with("related", "x"),
          with("related", json::array({1})),
          with("term", 1),
          with("definition", nullptr),
          json::array({"TLS"}),
          json("TLS"),
          json(nullptr),
          json::object()};
}

const std::string kSupportedSuffix =
    "supported: primitives, literal unions, arrays, nested interfaces and type aliases, "
    "Record<string, T>";

}  // namespace

TEST_CASE("the demo term.ts converts to the shape of term.schema.json", "[typescript]") {
  const auto source = read(test::source_dir() / "datasets/schemas/term.ts");
  REQUIRE_FALSE(source.empty());
  const json raw = convert_raw(source, "Term");
  CHECK(raw["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  CHECK(raw["title"] == "Term");
  CHECK(raw["description"] == "A definition of one technical term.");
  CHECK(raw["properties"]["term"]["description"] ==
        "The term exactly as the user wrote it (same spelling and case).");
  CHECK(raw["$defs"]["Category"]["description"] ==
        "The field a technical term belongs to. Exactly one per term.");

  const json expected = json::parse(R"({
    "type": "object",
    "properties": {
      "term": {"type": "string", "minLength": 1},
      "definition": {"type": "string", "minLength": 10},
      "category": {"$ref": "#/$defs/Category"},
      "related": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 6}
    },
    "required": ["term", "definition", "category", "related"],
    "additionalProperties": false,
    "$defs": {
      "Category": {
        "type": "string",
        "enum": ["networking", "databases", "security", "machine-learning",
                 "distributed-systems", "operating-systems", "programming", "hardware", "web"]
      }
    }
  })");
  CHECK(without_annotations(raw) == expected);

  // The hand-written schema and the converted one must agree on every instance the interface
  // can describe.
  const auto file = CompiledSchema::load(test::source_dir() / "datasets/schemas/term.schema.json");
  const auto converted = CompiledSchema::compile(raw);
  for (const auto& sample : term_samples(false)) {
    INFO(sample.dump());
    CHECK(converted.is_valid(sample) == file.is_valid(sample));
  }
  CHECK(converted.is_valid(term_samples(false).front()));

  // term.ts carries the length bounds as JSDoc tags (@minLength, @minItems, @maxItems), so the
  // two schemas agree on the length samples too.
  int disagreements = 0;
  for (const auto& sample : term_samples(true))
    disagreements += converted.is_valid(sample) != file.is_valid(sample);
  CHECK(disagreements == 0);
}

TEST_CASE("JSDoc tags carry the bounds a TypeScript type cannot state", "[typescript]") {
  // term.ts with its prose bounds written as tags: now every instance gets the same verdict
  // from the converted schema and from term.schema.json.
  const json raw = convert_raw(R"(
    type Category = "networking" | "databases" | "security" | "machine-learning"
      | "distributed-systems" | "operating-systems" | "programming" | "hardware" | "web";
    interface Term {
      /**
       * The term exactly as the user wrote it.
       * @minLength 1
       */
      term: string;
      /** One or two sentences.
       *  @minLength 10 */
      definition: string;
      category: Category;
      /** @minItems 1
       * @maxItems 6
       * @example ["TLS"] */
      related: string[];
    })",
                               "Term");
  CHECK(raw["properties"]["term"] == json::parse(R"({"type": "string", "minLength": 1,
                                       "description": "The term exactly as the user wrote it."})"));
  CHECK(raw["properties"]["related"]["maxItems"] == 6);
  CHECK(raw["properties"]["related"].count("example") == 0);
  const auto file = CompiledSchema::load(test::source_dir() / "datasets/schemas/term.schema.json");
  const auto converted = CompiledSchema::compile(raw);
  for (const auto& sample : term_samples(true)) {
    INFO(sample.dump());
    CHECK(converted.is_valid(sample) == file.is_valid(sample));
  }

  CHECK(convert(R"(interface T {
    /** @minimum -1.5
     * @exclusiveMaximum 10
     * @multipleOf 0.5
     * @pattern ^[a-z]+$
     * @format date-time
     * @deprecated
     */
    a: number
  })")["properties"]["a"] == json::parse(R"({"type":"number","minimum":-1.5,"exclusiveMaximum":10,
        "multipleOf":0.5,"pattern":"^[a-z]+$","format":"date-time"})"));
  CHECK(failure("interface T {\n  /** @minLength -1 */\n  a: string\n}") ==
        "2:7: @minLength needs a whole number, got \"-1\"");
  CHECK(failure("/**\n * Text.\n *   @maxItems many\n */\ntype T = string[]") ==
        "3:6: @maxItems needs a whole number, got \"many\"");
  CHECK(failure("type T = {\n\t/** @multipleOf 0 */ a: number }") ==
        "2:6: @multipleOf needs a finite number above 0, got \"0\"");
  // Tags start lines; an @ inside the text is just text.
  CHECK(convert_raw(
            "type T = {\n/** mail me @ home */ a: number }")["properties"]["a"]["description"] ==
        "mail me @ home");
  CHECK(failure("interface T { /** @pattern */ a: string }") == "1:19: @pattern needs a value");
}

TEST_CASE("primitives, any and unknown", "[typescript]") {
  const json schema = convert(R"(
    interface T {
      s: string; n: number; b: boolean; z: null; a: any; u: unknown
    })");
  CHECK(schema == json::parse(R"({
    "type": "object",
    "properties": {
      "s": {"type": "string"}, "n": {"type": "number"}, "b": {"type": "boolean"},
      "z": {"type": "null"}, "a": {}, "u": {}
    },
    "required": ["s", "n", "b", "z", "a", "u"],
    "additionalProperties": false
  })"));
}

TEST_CASE("members: optional, readonly, quoted names, separators", "[typescript]") {
  const json schema = convert(R"(interface T {
    a?: string,
    readonly b: number
    "c-d": boolean;
    'e f'?: string
    readonly readonly?: number,
    type: string;
    42: string
  })");
  CHECK(schema["required"] == json::parse(R"(["b", "c-d", "type", "42"])"));
  CHECK(schema["properties"].size() == 7);
  CHECK(schema["properties"]["e f"] == json::parse(R"({"type": "string"})"));
  CHECK(schema["properties"]["readonly"] == json::parse(R"({"type": "number"})"));
  CHECK(convert("interface T { readonly: string }")["required"] == json::array({"readonly"}));
  CHECK(convert("type T = {}") ==
        json::parse(
            R"({"type":"object","properties":{},"required":[],"additionalProperties":false})"));
}

TEST_CASE("arrays in every spelling", "[typescript]") {
  const json items = json::parse(R"({"type": "array", "items": {"type": "string"}})");
  CHECK(convert("type T = string[]") == items);
  CHECK(convert("type T = Array<string>") == items);
  CHECK(convert("type T = readonly string[]") == items);
  CHECK(convert("type T = ReadonlyArray<string>") == items);
  CHECK(convert("type T = string[][]") ==
        json::parse(R"({"type":"array","items":{"type":"array","items":{"type":"string"}}})"));
  CHECK(convert("type T = Array<string[]>") == convert("type T = string[][]"));
  CHECK(convert("type T = (string | number)[]") ==
        json::parse(R"({"type":"array","items":{"type":["string","number"]}})"));
  CHECK(convert("interface T { a: readonly number[] }")["properties"]["a"] ==
        json::parse(R"({"type":"array","items":{"type":"number"}})"));
}

TEST_CASE("literal types and unions", "[typescript]") {
  CHECK(convert(R"(type T = "a" | "b" | 'c')") ==
        json::parse(R"({"type":"string","enum":["a","b","c"]})"));
  CHECK(convert(R"(type T =
    | "a"
    | "b")") == json::parse(R"({"type":"string","enum":["a","b"]})"));
  CHECK(convert("type T = 1 | 2.5 | -3") == json::parse(R"({"type":"number","enum":[1,2.5,-3]})"));
  CHECK(convert("type T = true") == json::parse(R"({"type":"boolean","enum":[true]})"));
  CHECK(convert(R"(type T = "a" | 1 | false)") ==
        json::parse(R"({"type":["string","number","boolean"],"enum":["a",1,false]})"));
  CHECK(convert(R"(type T = "a" | "b" | null)") ==
        json::parse(R"({"type":["string","null"],"enum":["a","b",null]})"));
  CHECK(convert(R"(type T = "a" | "a" | ("b" | "a"))") ==
        json::parse(R"({"type":"string","enum":["a","b"]})"));
  CHECK(convert("type T = string | null") == json::parse(R"({"type":["string","null"]})"));
  CHECK(convert(R"(type T = string | "a")") == json::parse(R"({"type":"string"})"));
  CHECK(convert(R"(type T = "a" | number)") ==
        json::parse(R"({"anyOf":[{"type":"string","enum":["a"]},{"type":"number"}]})"));
  CHECK(convert("type T = string | any") == json::object());
  CHECK(convert("type T = string[] | null") ==
        json::parse(R"({"anyOf":[{"type":"array","items":{"type":"string"}},{"type":"null"}]})"));
  CHECK(convert("type T = U | null; interface U { a: string }") ==
        json::parse(R"({"anyOf":[{"$ref":"#/$defs/U"},{"type":"null"}],"$defs":{"U":{
          "type":"object","properties":{"a":{"type":"string"}},"required":["a"],
          "additionalProperties":false}}})"));
  CHECK(convert(R"(type T = "tab\there" | "quote\"" | "\u00e9\u{1F600}\uD83D\uDE00" | 'it\'s')") ==
        json::parse(R"({"type":"string","enum":["tab\there","quote\"","é😀😀","it's"]})"));

  const auto validator = CompiledSchema::compile(convert_raw(R"(type T = "a" | 1 | null)"));
  CHECK(validator.is_valid(json("a")));
  CHECK(validator.is_valid(json(1)));
  CHECK(validator.is_valid(json(nullptr)));
  CHECK_FALSE(validator.is_valid(json("b")));
  CHECK_FALSE(validator.is_valid(json(2)));
}

TEST_CASE("nested object types, Record and parentheses", "[typescript]") {
  CHECK(convert("interface T { a: { b: string; c?: { d: number } } }")["properties"]["a"] ==
        json::parse(R"({"type":"object","additionalProperties":false,"required":["b"],
          "properties":{"b":{"type":"string"},"c":{"type":"object","additionalProperties":false,
            "required":["d"],"properties":{"d":{"type":"number"}}}}})"));
  CHECK(convert("type T = Record<string, number>") ==
        json::parse(R"({"type":"object","additionalProperties":{"type":"number"}})"));
  CHECK(convert("type T = Record<string, { a: string }[]>")["additionalProperties"]["type"] ==
        "array");
  CHECK(convert("type T = ((string))") == json::parse(R"({"type":"string"})"));
}

TEST_CASE("references in any order, recursive ones, only what the root needs", "[typescript]") {
  const std::string source = R"(
    export interface Tree { value: Leaf; children: Tree[]; parent?: Tree | null }
    type Leaf = Color | number;
    export type Color = "red" | "green";
    interface Unused { x: string }
    type A = { next: B | null };
    type B = { next: A | null };
  )";
  const json tree = convert(source, "Tree");
  CHECK(tree["properties"]["children"] == json::parse(R"({"type":"array","items":{"$ref":"#"}})"));
  CHECK(tree["properties"]["parent"] == json::parse(R"({"anyOf":[{"$ref":"#"},{"type":"null"}]})"));
  CHECK(tree["$defs"] == json::parse(R"({
    "Leaf": {"anyOf": [{"$ref": "#/$defs/Color"}, {"type": "number"}]},
    "Color": {"type": "string", "enum": ["red", "green"]}
  })"));
  CHECK(convert(source, "Color").count("$defs") == 0);
  CHECK(convert(source, "A")["$defs"].size() == 1);

  const auto validator = CompiledSchema::compile(convert_raw(source, "Tree"));
  CHECK(validator.is_valid(
      json::parse(R"({"value":"red","children":[{"value":1,"children":[],"parent":null}]})")));
  CHECK_FALSE(validator.is_valid(
      json::parse(R"({"value":"red","children":[{"value":"blue","children":[]}]})")));
  CHECK_FALSE(validator.is_valid(json::parse(R"({"value":"red","children":[{"value":1}]})")));

  const auto mutual = CompiledSchema::compile(convert_raw(source, "A"));
  CHECK(mutual.is_valid(json::parse(R"({"next":{"next":{"next":null}}})")));
  CHECK_FALSE(mutual.is_valid(json::parse(R"({"next":{"next":{"next":1}}})")));
}

TEST_CASE("non-ASCII type names make valid $refs", "[typescript]") {
  const auto raw = convert_raw("interface T { c: Größe } type Größe = 'S' | 'M'");
  CHECK(raw["properties"]["c"]["$ref"] == "#/$defs/Gr%C3%B6%C3%9Fe");
  const auto validator = CompiledSchema::compile(raw);
  CHECK(validator.is_valid(json::parse(R"({"c":"S"})")));
  CHECK_FALSE(validator.is_valid(json::parse(R"({"c":"L"})")));
}

TEST_CASE("comments, JSDoc descriptions and export", "[typescript]") {
  const json raw = convert_raw(R"(// leading comment
/* a block
   comment */
/**
 * A thing.
 * Second line.
 * @example {"a": "x"}
 */
export interface T {
  // not a description
  a: string; // trailing
  /** The b. */
  b /* inline */ : number;
  /***/ c: string;
  /**/ d: string;
}
declare interface U { x: string }
export declare type V = U;
)");
  CHECK(raw["description"] == "A thing. Second line.");
  CHECK(raw["properties"]["a"].count("description") == 0);
  CHECK(raw["properties"]["b"]["description"] == "The b.");
  CHECK(raw["properties"]["c"].count("description") == 0);
  CHECK(raw["properties"]["d"].count("description") == 0);
  CHECK(convert("\xEF\xBB\xBFinterface\xC2\xA0T {\xE2\x80\x83"
                "a: string }")["required"] == json::array({"a"}));
}

TEST_CASE("extends merges members of interfaces and object aliases", "[typescript]") {
  const json schema = convert(R"(
    interface T extends Named, Timed { id: number; name?: string }
    interface Named { name: string; tags: Tag[] }
    type Timed = { at: string };
    type Tag = "a" | "b";
  )");
  CHECK(schema["properties"] == json::parse(R"({
    "id": {"type": "number"}, "name": {"type": "string"},
    "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}}, "at": {"type": "string"}
  })"));
  CHECK(schema["required"] == json::parse(R"(["tags", "at", "id"])"));
  CHECK(schema["$defs"].contains("Tag"));
  CHECK(schema["additionalProperties"] == false);
  CHECK(convert("interface A { a: string } interface B extends A {} interface T extends B {}")
            ["required"] == json::array({"a"}));
}

TEST_CASE("unsupported constructs fail at the offending token", "[typescript]") {
  const std::string s = "; " + kSupportedSuffix;
  CHECK(failure("interface T {\n  id: string;\n  tags: Base & Extra;\n}") ==
        "3:14: intersection types (&) are not supported" + s);
  CHECK(failure("type T = (x: string) => void") == "1:10: function types are not supported" + s);
  CHECK(failure("type T = () => void") == "1:10: function types are not supported" + s);
  CHECK(failure("type T = (string) => void") == "1:10: function types are not supported" + s);
  CHECK(failure("type T = <X>(x: X) => X") == "1:10: function types are not supported" + s);
  CHECK(failure("interface T { f(): void }") == "1:16: method signatures are not supported" + s);
  CHECK(failure("interface T { (): void }") ==
        "1:15: call and construct signatures are not supported" + s);
  CHECK(failure("interface T { new (): T }") ==
        "1:15: call and construct signatures are not supported" + s);
  CHECK(failure("type T = Partial<U>") ==
        "1:10: generic types other than Array<T> and Record<string, T> are not supported" + s);
  CHECK(failure("interface T<X> { a: X }") ==
        "1:12: generic type parameters are not supported" + s);
  CHECK(failure("type T<X> = X[]") == "1:7: generic type parameters are not supported" + s);
  CHECK(failure("interface T extends Base<string> {}") ==
        "1:25: generic base types are not supported" + s);
  CHECK(failure("interface T {\n  [key: string]: number;\n}") ==
        "2:3: index signatures and mapped types (write Record<string, T> instead) are not "
        "supported" +
            s);
  CHECK(failure("type T = { [K in Keys]: string }") ==
        "1:12: index signatures and mapped types (write Record<string, T> instead) are not "
        "supported" +
            s);
  CHECK(failure("type T = [string, number]") == "1:10: tuple types ([A, B]) are not supported" + s);
  CHECK(failure("enum Color { Red }") ==
        "1:1: enums (write a union of string literals instead) are not supported" + s);
  CHECK(failure("export const enum Color { Red }") ==
        "1:8: enums (write a union of string literals instead) are not supported" + s);
  CHECK(failure("import { U } from './u';\ninterface T { u: U }") ==
        "1:1: imports are not supported; paste every type the interface uses into the same "
        "source");
  CHECK(failure("export default interface T {}") == "1:8: default exports are not supported" + s);
  CHECK(failure("class T {}") ==
        "1:1: class declarations are not supported; only interface and type declarations are");
  CHECK(failure("type T = keyof U") == "1:10: keyof type operators are not supported" + s);
  CHECK(failure("type T = typeof u") == "1:10: typeof type queries are not supported" + s);
  CHECK(failure("type T = `a-${string}`") == "1:10: template literal types are not supported" + s);
  CHECK(failure("type T = U['a']; interface U { a: string }") ==
        "1:11: indexed access types (T[K]) are not supported" + s);
  CHECK(failure("type T = U extends string ? 'a' : 'b'") ==
        "1:12: conditional types (A extends B ? C : D) are not supported" + s);
  CHECK(failure("type T = Record<number, string>") ==
        "1:17: Record keys other than string are not supported" + s);
  CHECK(failure("type T = Ns.U") == "1:10: qualified names (A.B) are not supported" + s);
  CHECK(failure("type T = readonly string") ==
        "1:10: readonly is supported only on array types (readonly T[])");
  CHECK(failure("interface T { a: undefined }") ==
        "1:18: undefined is not a JSON value; mark the member optional (name?: T) instead");
  CHECK(failure("interface T { a: string | void }") ==
        "1:27: void is not a JSON value; mark the member optional (name?: T) instead");
  CHECK(failure("type T = bigint") == "1:10: the type \"bigint\" is not supported" + s);
  CHECK(failure("type T = never") == "1:10: the type \"never\" is not supported" + s);
  CHECK(failure("type T = 0x1F") ==
        "1:10: number literal \"0x1F\" is not supported; write it as a finite decimal number");
  CHECK(failure("type T = 1e999") ==
        "1:10: number literal \"1e999\" is not supported; write it as a finite decimal number");
  CHECK(failure("type T = Array") == "1:10: Array needs type arguments: Array<T>");
  CHECK(failure("type T = Record<string, number, string>") ==
        "1:31: Record takes two type arguments");
  CHECK(failure("type T = Array<string, number>") == "1:22: Array takes one type arguments");
}

TEST_CASE("syntax errors name the place and what was expected", "[typescript]") {
  CHECK(failure("interface T { a: string b: number }") ==
        "1:25: expected ; or , or } after member \"a\", got \"b\"");
  CHECK(failure("interface T { a string }") ==
        "1:17: expected : after member \"a\", got \"string\"");
  CHECK(failure("interface T {\n  a: string;\n") ==
        "3:1: expected } to close the object type opened at 1:13");
  CHECK(failure("type T = ") == "1:10: expected a type, got end of input");
  CHECK(failure("type T = string number") ==
        "1:17: expected ; after the type alias, got \"number\"");
  CHECK(failure("type T = (string") == "1:17: expected ) to close the ( at 1:10, got end of input");
  CHECK(failure("type T = Array<string") == "1:22: expected > to close Array<, got end of input");
  CHECK(failure("type T = ;") == "1:10: expected a type, got \";\"");
  CHECK(failure("interface { a: string }") == "1:11: expected an interface name, got \"{\"");
  CHECK(failure("interface T { 'a': string; \"a\": number }") ==
        "1:28: duplicate member \"a\" (first at 1:15)");
  CHECK(failure("interface T { a: string }\ntype T = string") ==
        "2:6: \"T\" is already declared at 1:11; declaration merging is not supported");
  CHECK(failure("interface string { a: string }") ==
        "1:11: \"string\" is a built-in type and cannot be declared");
  CHECK(failure("hello world") == "1:1: expected an interface or type declaration, got \"hello\"");
  CHECK(failure("interface T { a: string } /* never closed") == "1:27: unterminated block comment");
  CHECK(failure("type T = 'abc") == "1:10: unterminated string literal");
  CHECK(failure("type T = \"a\nb\"") == "1:10: unterminated string literal");
  CHECK(failure("type T = \"\\uD800\"") == "1:11: unpaired UTF-16 surrogate in string literal");
  CHECK(failure("type T = \"\\u{110000}\"") == "1:11: invalid escape sequence in string literal");
  CHECK(failure("type T = \"\\xZZ\"") == "1:11: invalid escape sequence in string literal");
  CHECK(failure("type T =\n  \xE2\x80\x9C"
                "a\xE2\x80\x9D") ==
        "2:3: typographic quote \xE2\x80\x9C; string literal types need straight quotes (\" "
        "or ')");
  CHECK(failure("type T = 'a'\n// caf\xC3\xA9 \xFF") == "2:9: the source is not valid UTF-8");
  CHECK(failure("type T = 'a' | '\xC0\xAF'") == "1:17: the source is not valid UTF-8");
  // Columns count characters, not bytes.
  CHECK(failure("type T = { 'é': string & U }") ==
        "1:24: intersection types (&) are not supported; " + kSupportedSuffix);
  CHECK(failure("interface T {\r\n  a: string &\r\n}") ==
        "2:13: intersection types (&) are not supported; " + kSupportedSuffix);
}

TEST_CASE("unknown names suggest the closest declared one", "[typescript]") {
  const auto source = read(test::source_dir() / "datasets/schemas/term.ts");
  std::string typo = source;
  typo.replace(typo.find("category: Category"), 18, "category: Catgory");
  const auto line_of_typo = std::count(typo.begin(), typo.begin() + typo.find("Catgory"), '\n') + 1;
  CHECK(failure(typo, "Term") == std::to_string(line_of_typo) +
                                     ":13: unknown type name \"Catgory\" (did you mean "
                                     "\"Category\"?); declared: Category, Term");
  CHECK(failure("interface T { a: Strng }") ==
        "1:18: unknown type name \"Strng\" (did you mean \"string\"?); declared: T");
  CHECK(failure("interface T { a: String }") ==
        "1:18: unknown type name \"String\" (did you mean \"string\"?); declared: T");
  CHECK(failure("interface T { at: Date }") ==
        "1:19: unknown type name \"Date\" (JSON has no dates; use string); declared: T");
  CHECK(failure("interface T { a: Zebra } type U = 1") ==
        "1:18: unknown type name \"Zebra\"; declared: T, U");
  CHECK(failure("interface T extends Bsae {} interface Base {}") ==
        "1:21: unknown base type \"Bsae\" (did you mean \"Base\"?); declared: T, Base");

  TypeScriptError error;
  CHECK_FALSE(typescript_to_schema("interface Term {}\ntype Category = 'a'", "Trem", error));
  CHECK(error.line == 0);
  CHECK(error.column == 0);
  CHECK(to_string(error) ==
        "type \"Trem\" is not declared in the source (did you mean \"Term\"?); declared: Term, "
        "Category");
  CHECK(failure("// nothing here\n", "T") ==
        "type \"T\" is not declared in the source; declared: none");
}

TEST_CASE("cycles that have no finite meaning are rejected", "[typescript]") {
  CHECK(failure("type T = U | null;\ntype U = string | T;") ==
        "2:19: type alias \"T\" circularly references itself (T -> U -> T)");
  CHECK(failure("type T = (T)") == "1:11: type alias \"T\" circularly references itself (T -> T)");
  CHECK(failure("interface T extends U {}\ninterface U extends T {}") ==
        "2:21: interface \"U\" extends itself through \"T\"");
  CHECK(failure("interface T extends U {}\ntype U = string[]") ==
        "1:21: \"U\" is not an object type; an interface can extend only interfaces and object "
        "type aliases");
  // Through an array or object the cycle is a finite recursive type.
  CHECK(convert("type T = T[] | string")["anyOf"][0] ==
        json::parse(R"({"type":"array","items":{"$ref":"#"}})"));
}

TEST_CASE("deeply nested types stop at 64 levels", "[typescript]") {
  const auto nested = [](const std::string& open, const std::string& close, int n) {
    std::string s = "type T = ";
    for (int i = 0; i < n; ++i) s += open;
    s += "string";
    for (int i = 0; i < n; ++i) s += close;
    return s;
  };
  const std::string too_deep = "types nested more than 64 levels deep are not supported";
  CHECK(convert(nested("Array<", ">", 63)).dump().size() > 0);
  CHECK(failure(nested("Array<", ">", 64)) == "1:" + std::to_string(10 + 64 * 6) + ": " + too_deep);
  CHECK(convert(nested("{a:", "}", 63)).dump().size() > 0);
  CHECK(failure(nested("{a:", "}", 64)).find(too_deep) != std::string::npos);
  CHECK(convert(nested("", "[]", 63)).dump().size() > 0);
  CHECK(failure(nested("", "[]", 64)) == "1:" + std::to_string(16 + 63 * 2) + ": " + too_deep);
  CHECK(failure(nested("(", ")", 100000)).find(too_deep) != std::string::npos);
  CHECK(failure(nested("{a:", "}", 100000)).find(too_deep) != std::string::npos);
  CHECK(failure(nested("", "[]", 100000)).find(too_deep) != std::string::npos);
  // Long chains of declarations are walked without recursion.
  std::string aliases, interfaces = "interface I0 { a: string }\n";
  for (int i = 0; i < 20000; ++i) {
    aliases += "type A" + std::to_string(i) + " = A" + std::to_string(i + 1) + ";\n";
    interfaces +=
        "interface I" + std::to_string(i + 1) + " extends I" + std::to_string(i) + " {}\n";
  }
  CHECK(convert(aliases + "type A20000 = string", "A0")["$defs"].size() == 20000);
  CHECK(failure(
            aliases + "type A20000 = A0",
            "A0") == "20001:15: type alias \"A0\" circularly references itself (A0 -> A1 -> " + [] {
    std::string path;
    for (int i = 2; i <= 20000; ++i) path += "A" + std::to_string(i) + " -> ";
    return path;
  }() + "A0)");
  CHECK(convert(interfaces, "I20000")["required"] == json::array({"a"}));
  // A long flat union is not nesting.
  std::string wide = "type T = 'v0'";
  for (int i = 1; i < 20000; ++i) wide += " | 'v" + std::to_string(i) + "'";
  CHECK(convert(wide)["enum"].size() == 20000);
}

TEST_CASE("garbage input never crashes", "[typescript]") {
  const std::string valid = R"(/** doc */ export interface T extends B { a?: "x" | 1 | null;
    readonly b: Array<{ c: Record<string, U[]> }>, 'd': (string | number)[] }
    type U = T | boolean; interface B { e: unknown })";
  // Every prefix: unexpected ends in every state of the lexer and parser.
  for (std::size_t n = 0; n <= valid.size(); ++n) {
    TypeScriptError error;
    const auto schema = typescript_to_schema(valid.substr(0, n), "T", error);
    CHECK((schema.has_value() || !error.message.empty()));
    if (schema) CHECK_NOTHROW(schema->dump());
  }
  CHECK(convert(valid).contains("$defs"));

  // Random sequences of TypeScript-ish pieces and raw bytes.
  const char* pieces[] = {"interface", "type", "T",      "U",        "=",       "{",     "}",
                          "(",         ")",    "[",      "]",        "<",       ">",     ":",
                          "?",         ";",    ",",      "|",        "&",       "'s'",   "\"",
                          "1",         "-",    "string", "readonly", "extends", "Array", "Record",
                          "/*",        "*/",   "//",     "\n",       " ",       "\\",    "`",
                          "\xC3",      "\xA9", "\xFF",   "...",      "=>",      "/**",   "@"};
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  const auto random = [&state](std::size_t bound) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::size_t>(state % bound);
  };
  for (int round = 0; round < 3000; ++round) {
    std::string source;
    const std::size_t count = random(40);
    for (std::size_t i = 0; i < count; ++i) {
      if (random(8) == 0) {
        source += static_cast<char>(random(256));
      } else {
        source += std::string(pieces[random(std::size(pieces))]);
        if (random(2) == 0) source += ' ';
      }
    }
    TypeScriptError error;
    const auto schema = typescript_to_schema(source, random(2) == 0 ? "T" : "U", error);
    INFO(json(json::binary_t(std::vector<std::uint8_t>(source.begin(), source.end()))).dump());
    if (schema) {
      CHECK_NOTHROW(schema->dump());
      CHECK_NOTHROW(CompiledSchema::compile(*schema));
    } else {
      CHECK_FALSE(error.message.empty());
      CHECK(error.line >= 0);
    }
  }
}
