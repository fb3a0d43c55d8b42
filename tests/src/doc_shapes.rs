//! The documented shape of every reply, read from the Markdown in `docs/`, and a checker
//! that holds real JSON to it. Used by `tests/docs_drift.rs`, so that a key added to the
//! server but not to the docs (or the reverse) fails a test.
//!
//! What is read (see "Data shapes" in docs/control-protocol.md for the reader's view):
//!
//! - a heading whose section has a table with the header `| key | type | ... |` defines a
//!   shape: an object with exactly those keys (a key in `*italics*` may be absent);
//! - a heading whose section has a line `Type: T` defines a shape that is the type `T`;
//! - a table right after a line `<!-- flags: robofleet CMD -->` lists `CMD`'s options.
//!
//! A link `[text](#anchor)` in a type names the shape under that heading, with GitHub's
//! anchors (so links in the docs and in types are the same thing).

use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The workspace root (this crate is `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A documented JSON type.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Str,
    Int,
    /// A floating-point number: written with a fraction or exponent.
    Num,
    /// An exact price or amount of money: a string of decimal text (`"99999.5"`).
    Decimal,
    Bool,
    Null,
    Any,
    /// Exactly this value (`"pausing"`, `true`).
    Lit(Value),
    Array(Box<Ty>),
    /// `object of T`: any keys, every value a `T`.
    Map(Box<Ty>),
    /// `{"k": T, ...}`: exactly these keys.
    Obj(Vec<Field>),
    /// The shape under the heading with this anchor.
    Ref(String),
    Or(Vec<Ty>),
}

/// One key of an object shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub optional: bool,
    pub ty: Ty,
}

/// Parse a type as written in the docs (backticks are ignored: they only format).
pub fn parse_type(text: &str) -> Result<Ty, String> {
    let tokens = tokenize(&text.replace('`', ""))?;
    let mut p = TypeParser { tokens, at: 0 };
    let ty = p.alternatives()?;
    if p.at != p.tokens.len() {
        return Err(format!(
            "type {text:?}: unexpected {:?} after a complete type",
            p.tokens[p.at]
        ));
    }
    Ok(ty)
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Link(String),
    Punct(char),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "{}():,".contains(c) {
            out.push(Token::Punct(c));
            i += 1;
        } else if c == '"' {
            // A JSON string: up to the first quote that is not escaped.
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            let raw: String = chars[start..(i + 1).min(chars.len())].iter().collect();
            let s: String = serde_json::from_str(&raw)
                .map_err(|e| format!("type {text:?}: bad string {raw}: {e}"))?;
            out.push(Token::Str(s));
            i += 1;
        } else if c == '[' {
            // A Markdown link to a heading: [text](#anchor).
            let rest: String = chars[i..].iter().collect();
            let close = rest
                .find("](#")
                .ok_or_else(|| format!("type {text:?}: a '[' that is not a [link](#anchor)"))?;
            let end = rest[close..]
                .find(')')
                .ok_or_else(|| format!("type {text:?}: unclosed link"))?;
            out.push(Token::Link(rest[close + 3..close + end].to_string()));
            i += rest[..close + end + 1].chars().count();
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            return Err(format!("type {text:?}: unexpected character {c:?}"));
        }
    }
    Ok(out)
}

struct TypeParser {
    tokens: Vec<Token>,
    at: usize,
}

impl TypeParser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Result<Token, String> {
        let t = self
            .tokens
            .get(self.at)
            .cloned()
            .ok_or("type ends too early")?;
        self.at += 1;
        Ok(t)
    }

    fn expect(&mut self, want: Token) -> Result<(), String> {
        let got = self.next()?;
        if got != want {
            return Err(format!("expected {want:?}, found {got:?}"));
        }
        Ok(())
    }

    /// `A or B or ...`: the loosest binding.
    fn alternatives(&mut self) -> Result<Ty, String> {
        let mut alts = vec![self.single()?];
        while self.peek() == Some(&Token::Word("or".into())) {
            self.at += 1;
            alts.push(self.single()?);
        }
        Ok(if alts.len() == 1 {
            alts.remove(0)
        } else {
            Ty::Or(alts)
        })
    }

    fn single(&mut self) -> Result<Ty, String> {
        match self.next()? {
            Token::Word(w) => match w.as_str() {
                "string" => Ok(Ty::Str),
                "int" => Ok(Ty::Int),
                "number" => Ok(Ty::Num),
                "decimal" => Ok(Ty::Decimal),
                "bool" => Ok(Ty::Bool),
                "null" => Ok(Ty::Null),
                "any" => Ok(Ty::Any),
                "true" => Ok(Ty::Lit(Value::Bool(true))),
                "false" => Ok(Ty::Lit(Value::Bool(false))),
                "array" => {
                    self.expect(Token::Word("of".into()))?;
                    Ok(Ty::Array(Box::new(self.single()?)))
                }
                "object" => {
                    self.expect(Token::Word("of".into()))?;
                    Ok(Ty::Map(Box::new(self.single()?)))
                }
                other => Err(format!("unknown type word {other:?}")),
            },
            Token::Str(s) => Ok(Ty::Lit(Value::String(s))),
            Token::Link(anchor) => Ok(Ty::Ref(anchor)),
            Token::Punct('(') => {
                let ty = self.alternatives()?;
                self.expect(Token::Punct(')'))?;
                Ok(ty)
            }
            Token::Punct('{') => {
                let mut fields = Vec::new();
                loop {
                    let Token::Str(name) = self.next()? else {
                        return Err("an inline object's key must be a \"string\"".into());
                    };
                    self.expect(Token::Punct(':'))?;
                    let ty = self.alternatives()?;
                    fields.push(Field {
                        name,
                        optional: false,
                        ty,
                    });
                    match self.next()? {
                        Token::Punct(',') => continue,
                        Token::Punct('}') => break,
                        t => return Err(format!("expected ',' or '}}' in an object, found {t:?}")),
                    }
                }
                Ok(Ty::Obj(fields))
            }
            t => Err(format!("expected a type, found {t:?}")),
        }
    }
}

/// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces
/// to `-` (a repeated heading gets `-1`, `-2`, ... appended by the caller).
pub fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// A table's rows, each split into trimmed cells (`\|` is a pipe inside a cell).
pub type Table = Vec<Vec<String>>;

fn split_row(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    let mut cells: Vec<String> = cells.into_iter().map(|c| c.trim().to_string()).collect();
    // The leading and trailing pipes leave an empty cell at each end.
    if cells.last().is_some_and(|c| c.is_empty()) {
        cells.pop();
    }
    if cells.first().is_some_and(|c| c.is_empty()) {
        cells.remove(0);
    }
    cells
}

/// A fenced code block.
#[derive(Clone, Debug)]
pub struct CodeBlock {
    /// The info string after the fence, e.g. `json` or `json #robot-states`.
    pub info: String,
    pub text: String,
    /// 1-based line of the opening fence.
    pub line: usize,
}

/// One heading and what follows it up to the next heading.
#[derive(Clone, Debug, Default)]
pub struct Section {
    pub heading: String,
    pub anchor: String,
    pub line: usize,
    /// Lines outside code blocks and tables.
    pub text: Vec<String>,
    /// Each table, with the comment line (`<!-- ... -->`) right before it, if any.
    pub tables: Vec<(Option<String>, Table)>,
    pub code: Vec<CodeBlock>,
}

/// A documented shape: an object's keys, or a type.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Keys(Vec<Field>),
    Type(Ty),
}

/// A Markdown page read for its shapes.
pub struct Doc {
    pub path: PathBuf,
    pub sections: Vec<Section>,
    pub shapes: BTreeMap<String, Shape>,
}

impl Doc {
    /// Read `docs/<name>` (or any path under the workspace root).
    pub fn load(relative: &str) -> Doc {
        let path = workspace_root().join(relative);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Doc::parse(&path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn parse(path: &Path, text: &str) -> Result<Doc, String> {
        let sections = split_sections(text);
        let mut shapes = BTreeMap::new();
        for s in &sections {
            let key_tables: Vec<&Table> = s
                .tables
                .iter()
                .map(|(_, t)| t)
                .filter(|t| {
                    t.first()
                        .is_some_and(|h| h.len() >= 2 && h[0] == "key" && h[1] == "type")
                })
                .collect();
            let types: Vec<&String> = s.text.iter().filter(|l| l.starts_with("Type:")).collect();
            let at = |e: String| format!("line {} ({}): {e}", s.line, s.heading);
            let shape = match (key_tables.as_slice(), types.as_slice()) {
                ([], []) => continue,
                ([table], []) => Shape::Keys(key_table(table).map_err(at)?),
                ([], [line]) => Shape::Type(parse_type(&line["Type:".len()..]).map_err(at)?),
                _ => {
                    return Err(at(
                        "a section defines one shape: one key table or one Type: line".into(),
                    ))
                }
            };
            shapes.insert(s.anchor.clone(), shape);
        }
        let doc = Doc {
            path: path.to_path_buf(),
            sections,
            shapes,
        };
        doc.check_links()?;
        Ok(doc)
    }

    /// Every link in a type must name a shape of this page.
    fn check_links(&self) -> Result<(), String> {
        fn refs(ty: &Ty, out: &mut Vec<String>) {
            match ty {
                Ty::Ref(a) => out.push(a.clone()),
                Ty::Array(t) | Ty::Map(t) => refs(t, out),
                Ty::Obj(fields) => fields.iter().for_each(|f| refs(&f.ty, out)),
                Ty::Or(alts) => alts.iter().for_each(|t| refs(t, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        for shape in self.shapes.values() {
            match shape {
                Shape::Keys(fields) => fields.iter().for_each(|f| refs(&f.ty, &mut all)),
                Shape::Type(ty) => refs(ty, &mut all),
            }
        }
        match all.iter().find(|a| !self.shapes.contains_key(*a)) {
            Some(a) => Err(format!("a type links to #{a}, which defines no shape")),
            None => Ok(()),
        }
    }

    pub fn section(&self, anchor: &str) -> &Section {
        self.sections
            .iter()
            .find(|s| s.anchor == anchor)
            .unwrap_or_else(|| panic!("{}: no heading #{anchor}", self.path.display()))
    }

    /// The table of `section` whose header starts with `header`.
    pub fn table(&self, anchor: &str, header: &[&str]) -> Table {
        self.section(anchor)
            .tables
            .iter()
            .map(|(_, t)| t)
            .find(|t| {
                t.first()
                    .is_some_and(|h| h.iter().zip(header).all(|(a, b)| a == b))
            })
            .unwrap_or_else(|| panic!("#{anchor} has no table headed {header:?}"))
            .clone()
    }

    /// Every table right after a `<!-- flags: robofleet CMD -->` line, by `CMD`.
    pub fn flag_tables(&self) -> Vec<(String, Table)> {
        let mut out = Vec::new();
        for s in &self.sections {
            for (comment, table) in &s.tables {
                let Some(c) = comment else { continue };
                let inner = c.trim_start_matches("<!--").trim_end_matches("-->").trim();
                if let Some(cmd) = inner.strip_prefix("flags: robofleet ") {
                    out.push((cmd.trim().to_string(), table.clone()));
                }
            }
        }
        out
    }

    pub fn code_blocks(&self) -> impl Iterator<Item = &CodeBlock> {
        self.sections.iter().flat_map(|s| s.code.iter())
    }
}

fn key_table(table: &Table) -> Result<Vec<Field>, String> {
    let mut fields = Vec::new();
    for row in &table[1..] {
        let (Some(keys), Some(ty)) = (row.first(), row.get(1)) else {
            return Err(format!("row {row:?} has no key and type"));
        };
        let optional = keys.starts_with('*') && keys.ends_with('*');
        let names = backticked(keys);
        if names.is_empty() {
            return Err(format!("row {row:?}: write the key in `backticks`"));
        }
        let ty = parse_type(ty)?;
        for name in names {
            if fields.iter().any(|f: &Field| f.name == name) {
                return Err(format!("key {name:?} twice"));
            }
            fields.push(Field {
                name,
                optional,
                ty: ty.clone(),
            });
        }
    }
    Ok(fields)
}

/// The `code` spans of a Markdown cell.
pub fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect()
}

fn split_sections(text: &str) -> Vec<Section> {
    let mut sections = vec![Section::default()];
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut fence: Option<CodeBlock> = None;
    let mut table: Option<Table> = None;
    let mut last_comment: Option<String> = None;
    let mut comment_for_table: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let current = sections.last_mut().expect("at least one section");
        if let Some(block) = fence.as_mut() {
            if line.trim_start().starts_with("```") {
                current.code.push(fence.take().expect("in a fence"));
            } else {
                block.text.push_str(line);
                block.text.push('\n');
            }
            continue;
        }
        let is_row = line.trim_start().starts_with('|');
        if !is_row {
            if let Some(t) = table.take() {
                current.tables.push((comment_for_table.take(), t));
            }
        }
        if let Some(info) = line.trim_start().strip_prefix("```") {
            fence = Some(CodeBlock {
                info: info.trim().to_string(),
                text: String::new(),
                line: n + 1,
            });
            last_comment = None;
        } else if is_row {
            let cells = split_row(line);
            let t = table.get_or_insert_with(|| {
                comment_for_table = last_comment.take();
                Vec::new()
            });
            // The |---|---| line under the header is no row.
            if !cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':'))
            {
                t.push(cells);
            }
        } else if let Some(heading) = heading_text(line) {
            let base = slug(&heading);
            let count = seen.entry(base.clone()).or_insert(0);
            let anchor = if *count == 0 {
                base.clone()
            } else {
                format!("{base}-{count}")
            };
            *count += 1;
            sections.push(Section {
                heading,
                anchor,
                line: n + 1,
                ..Section::default()
            });
            last_comment = None;
        } else if line.trim_start().starts_with("<!--") {
            last_comment = Some(line.trim().to_string());
        } else {
            if !line.trim().is_empty() {
                last_comment = None;
            }
            current.text.push(line.to_string());
        }
    }
    if let Some(t) = table.take() {
        let current = sections.last_mut().expect("at least one section");
        current.tables.push((comment_for_table.take(), t));
    }
    sections
}

fn heading_text(line: &str) -> Option<String> {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    line[hashes..]
        .strip_prefix(' ')
        .map(|rest| rest.trim().to_string())
}

/// Holds JSON to a page's shapes, remembering which shapes real values have passed.
pub struct Checker<'a> {
    pub doc: &'a Doc,
    exercised: RefCell<BTreeSet<String>>,
    /// (shape, optional key) -> (seen present, seen absent).
    optional: RefCell<BTreeMap<(String, String), (bool, bool)>>,
}

impl<'a> Checker<'a> {
    pub fn new(doc: &'a Doc) -> Self {
        Checker {
            doc,
            exercised: RefCell::default(),
            optional: RefCell::default(),
        }
    }

    /// Optional keys of shapes some value has matched that were always there, or never:
    /// `(shape, key, true)` if the key was never absent, `(shape, key, false)` if it was
    /// never present. Either way one side of the documented promise went unchecked.
    pub fn optional_keys_unseen(&self) -> Vec<(String, String, bool)> {
        let exercised = self.exercised();
        let seen = self.optional.borrow();
        let mut out = Vec::new();
        for anchor in &exercised {
            let Some(Shape::Keys(fields)) = self.doc.shapes.get(anchor) else {
                continue;
            };
            for f in fields.iter().filter(|f| f.optional) {
                let key = (anchor.clone(), f.name.clone());
                match seen.get(&key).copied().unwrap_or_default() {
                    (true, true) => {}
                    (present, _) => out.push((anchor.clone(), f.name.clone(), present)),
                }
            }
        }
        out
    }

    /// The anchors of shapes some value has matched.
    pub fn exercised(&self) -> BTreeSet<String> {
        self.exercised.borrow().clone()
    }

    /// `Ok` if `v` is of type `ty`; else what differs, with the path to it.
    pub fn check(&self, v: &Value, ty: &Ty, path: &str) -> Result<(), String> {
        let fail = |want: &str| Err(format!("{path}: {v} is not {want}"));
        match ty {
            Ty::Any => Ok(()),
            Ty::Str if v.is_string() => Ok(()),
            Ty::Str => fail("a string"),
            Ty::Int if v.is_i64() || v.is_u64() => Ok(()),
            Ty::Int => fail("an int"),
            Ty::Num if v.is_f64() => Ok(()),
            Ty::Num => fail("a number with a fraction or exponent"),
            Ty::Decimal
                if v.as_str()
                    .is_some_and(|s| s.parse::<robofleet_api::Money>().is_ok()) =>
            {
                Ok(())
            }
            Ty::Decimal => fail("decimal text"),
            Ty::Bool if v.is_boolean() => Ok(()),
            Ty::Bool => fail("a bool"),
            Ty::Null if v.is_null() => Ok(()),
            Ty::Null => fail("null"),
            Ty::Lit(want) if v == want => Ok(()),
            Ty::Lit(want) => fail(&want.to_string()),
            Ty::Array(item) => match v.as_array() {
                Some(items) => items
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, x)| self.check(x, item, &format!("{path}[{i}]"))),
                None => fail("an array"),
            },
            Ty::Map(item) => match v.as_object() {
                Some(map) => map
                    .iter()
                    .try_for_each(|(k, x)| self.check(x, item, &format!("{path}.{k}"))),
                None => fail("an object"),
            },
            Ty::Obj(fields) => self.check_keys(v, fields, path, None),
            Ty::Ref(anchor) => {
                let shape = self
                    .doc
                    .shapes
                    .get(anchor)
                    .ok_or_else(|| format!("{path}: no shape #{anchor}"))?;
                match shape {
                    Shape::Keys(fields) => self.check_keys(v, fields, path, Some(anchor)),
                    Shape::Type(ty) => self.check(v, ty, path),
                }?;
                self.exercised.borrow_mut().insert(anchor.clone());
                Ok(())
            }
            Ty::Or(alts) => {
                let mut why = Vec::new();
                for alt in alts {
                    match self.check(v, alt, path) {
                        Ok(()) => return Ok(()),
                        Err(e) => why.push(e),
                    }
                }
                Err(format!(
                    "none of the documented types fits: {}",
                    why.join(" | ")
                ))
            }
        }
    }

    fn check_keys(
        &self,
        v: &Value,
        fields: &[Field],
        path: &str,
        shape: Option<&str>,
    ) -> Result<(), String> {
        let Some(map) = v.as_object() else {
            return Err(format!("{path}: {v} is not an object"));
        };
        if let Some(shape) = shape {
            let mut seen = self.optional.borrow_mut();
            for f in fields.iter().filter(|f| f.optional) {
                let entry = seen.entry((shape.to_string(), f.name.clone())).or_default();
                if map.contains_key(&f.name) {
                    entry.0 = true;
                } else {
                    entry.1 = true;
                }
            }
        }
        let mut errors = Vec::new();
        for key in map.keys() {
            if !fields.iter().any(|f| &f.name == key) {
                errors.push(format!("{path}.{key}: sent but not documented"));
            }
        }
        for f in fields {
            match map.get(&f.name) {
                None if f.optional => {}
                None => errors.push(format!("{path}.{}: documented but not sent", f.name)),
                Some(x) => {
                    if let Err(e) = self.check(x, &f.ty, &format!("{path}.{}", f.name)) {
                        errors.push(e);
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PAGE: &str = r#"# Page

## Thing

| key | type | meaning |
|---|---|---|
| `a`, `b` | int | two ints; a \| pipe |
| *`c`* | string or null | may be absent |
| `d` | array of [part](#part) | |
| `e` | `{"x": number, "y": "on" or "off"}` | |
| `f` | object of (int or bool) | |

```sh
# a comment, not a heading
```

### Part

Type: `{"k": true} or array of string`

## Thing

<!-- flags: robofleet feed -->
| option | default | meaning |
|---|---|---|
| `--rate N` | `100` | |
"#;

    fn doc() -> Doc {
        Doc::parse(Path::new("page.md"), PAGE).unwrap()
    }

    #[test]
    fn types_parse_with_or_binding_loosest() {
        assert_eq!(
            parse_type("array of string or null").unwrap(),
            Ty::Or(vec![Ty::Array(Box::new(Ty::Str)), Ty::Null])
        );
        assert_eq!(
            parse_type("array of (string or null)").unwrap(),
            Ty::Array(Box::new(Ty::Or(vec![Ty::Str, Ty::Null])))
        );
        assert_eq!(
            parse_type(r#"[x](#order) or "Market""#).unwrap(),
            Ty::Or(vec![Ty::Ref("order".into()), Ty::Lit(json!("Market"))])
        );
        assert!(parse_type("int (u64)").is_err(), "prose is no type");
        assert!(parse_type("object").is_err(), "an object says its keys");
        assert!(parse_type("{\"a\": int").is_err());
    }

    #[test]
    fn headings_get_github_anchors_and_code_is_not_read() {
        let d = doc();
        let anchors: Vec<&str> = d.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["", "page", "thing", "part", "thing-1"]);
        assert_eq!(slug("`robofleet ctl`"), "robofleet-ctl");
        assert_eq!(slug("set_params"), "set_params");
        assert_eq!(d.flag_tables()[0].0, "feed");
        assert_eq!(d.flag_tables()[0].1[1][1], "`100`");
    }

    #[test]
    fn the_checker_wants_exactly_the_documented_keys_and_types() {
        let d = doc();
        let c = Checker::new(&d);
        let thing = Ty::Ref("thing".into());
        let good = json!({"a": 1, "b": 2, "d": [{"k": true}, ["s"]], "e": {"x": 1.5, "y": "on"}, "f": {"p": 1, "q": false}});
        c.check(&good, &thing, "r").unwrap();
        let mut with_c = good.clone();
        with_c["c"] = json!(null);
        c.check(&with_c, &thing, "r").unwrap();
        assert_eq!(
            c.exercised(),
            ["part", "thing"].iter().map(|s| s.to_string()).collect()
        );
        assert!(c.optional_keys_unseen().is_empty(), "`c` was there and not");
        let fresh = Checker::new(&d);
        fresh.check(&good, &thing, "r").unwrap();
        assert_eq!(
            fresh.optional_keys_unseen(),
            [("thing".to_string(), "c".to_string(), false)]
        );
        // Every way to drift fails, and says where.
        let broken = |f: &dyn Fn(&mut Value)| {
            let mut v = good.clone();
            f(&mut v);
            c.check(&v, &thing, "r").unwrap_err()
        };
        assert!(broken(&|v| v["extra"] = json!(1)).contains("r.extra: sent but not documented"));
        assert!(broken(&|v| {
            v.as_object_mut().unwrap().remove("b");
        })
        .contains("r.b: documented but not sent"));
        assert!(broken(&|v| v["a"] = json!(1.0)).contains("r.a"));
        assert!(broken(&|v| v["e"]["x"] = json!(1)).contains("r.e.x"));
        assert!(broken(&|v| v["e"]["z"] = json!(1)).contains("r.e.z"));
        assert!(broken(&|v| v["e"]["y"] = json!("maybe")).contains("r.e.y"));
        assert!(broken(&|v| v["c"] = json!(5)).contains("r.c"));
        assert!(broken(&|v| v["d"][0] = json!({"k": false})).contains("r.d[0]"));
        assert!(broken(&|v| v["f"]["p"] = json!("1")).contains("r.f.p"));
        assert!(broken(&|v| v["a"] = json!(null)).contains("r.a"));
    }

    #[test]
    fn a_link_to_no_shape_or_an_unreadable_type_is_refused() {
        let bad = PAGE.replace("[part](#part)", "[part](#nowhere)");
        assert!(Doc::parse(Path::new("p.md"), &bad).is_err());
        let bad = PAGE.replace("| int |", "| integer |");
        assert!(Doc::parse(Path::new("p.md"), &bad).is_err());
        let bad = PAGE.replace("| `a`, `b` |", "| a |");
        assert!(Doc::parse(Path::new("p.md"), &bad).is_err());
    }
}
