//! Finds where a value sits in a RON file, so that problems found after parsing (an unknown
//! actor, an invalid distribution) are reported at their line and column.
//!
//! ron's typed deserializer keeps no positions, so this is a small second reader that builds a
//! tree of spans. It runs only on text that ron already accepted, and gives up (returns `None`)
//! on anything it does not understand rather than guessing.

use super::paths::Seg;

/// A 1-based line and column (in characters, as ron counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub(crate) line: usize,
    pub(crate) col: usize,
}

/// A value of the file with its extent.
#[derive(Debug)]
pub struct Node {
    pub(crate) start: Pos,
    pub(crate) end: Pos,
    /// Character offsets of the value in the text, `start..end`.
    pub chars: (usize, usize),
    pub(crate) kind: Kind,
}

/// The shape of a value.
#[derive(Debug)]
pub enum Kind {
    /// A number, string, identifier or char.
    Atom(String),
    /// `Name(field: value, ...)` or `(field: value, ...)`.
    Struct {
        /// The record name before the parenthesis, if written.
        name: Option<String>,
        /// Each field's name, where the name starts, and its value, in the file's order.
        fields: Vec<(String, Pos, Node)>,
    },
    /// `Name(value, ...)`, `(value, ...)` or `[value, ...]`.
    Seq {
        /// The name before the parenthesis, if written (none for a list).
        name: Option<String>,
        /// The values, in order.
        items: Vec<Node>,
    },
    /// `{key: value, ...}`.
    Map(Vec<(Node, Node)>),
}

struct Reader<'a> {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
    _src: &'a str,
}

impl<'a> Reader<'a> {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }
    fn peek2(&self) -> Option<char> {
        self.chars.get(self.i + 1).copied()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }
    fn skip_ws(&mut self) {
        loop {
            match (self.peek(), self.peek2()) {
                (Some(c), _) if super::load::ron_whitespace(c) => {
                    self.bump();
                }
                (Some('/'), Some('/')) => {
                    while let Some(c) = self.bump() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                (Some('/'), Some('*')) => {
                    self.bump();
                    self.bump();
                    let mut depth = 1;
                    while depth > 0 {
                        match (self.bump(), self.peek()) {
                            (None, _) => return,
                            (Some('*'), Some('/')) => {
                                self.bump();
                                depth -= 1;
                            }
                            (Some('/'), Some('*')) => {
                                self.bump();
                                depth += 1;
                            }
                            _ => {}
                        }
                    }
                }
                _ => return,
            }
        }
    }
    fn word(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c.is_alphanumeric() || "_.+-#".contains(c) {
                s.push(c);
                self.bump();
            } else {
                break;
            }
        }
        s
    }
    fn string(&mut self) -> Option<String> {
        let quote = self.bump()?;
        let mut s = String::new();
        loop {
            let c = self.bump()?;
            if c == '\\' {
                // As ron decodes them: a key written `"\u{61}"` is the key "a" (a duplicate of
                // `"a"` must be found as one).
                let e = self.bump()?;
                s.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'x' => {
                        let hex: String = [self.bump()?, self.bump()?].iter().collect();
                        char::from(u8::from_str_radix(&hex, 16).ok()?)
                    }
                    'u' => {
                        let mut hex = String::new();
                        if self.peek() == Some('{') {
                            self.bump();
                            while let Some(h) = self.bump() {
                                if h == '}' {
                                    break;
                                }
                                hex.push(h);
                            }
                        } else {
                            for _ in 0..4 {
                                hex.push(self.bump()?);
                            }
                        }
                        char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                    }
                    other => other,
                });
            } else if c == quote {
                return Some(s);
            } else {
                s.push(c);
            }
        }
    }
    /// Whether a raw string (`r"…"`, `r#"…"#`) starts here, not a raw identifier (`r#Name`).
    fn raw_string_ahead(&self) -> bool {
        let rest = self.chars.get(self.i + 1..).unwrap_or_default();
        rest.iter().find(|&&c| c != '#') == Some(&'"')
    }
    fn raw_string(&mut self) -> Option<String> {
        self.bump(); // r
        let mut hashes = 0;
        while self.peek() == Some('#') {
            self.bump();
            hashes += 1;
        }
        if self.bump()? != '"' {
            return None;
        }
        let mut s = String::new();
        loop {
            let c = self.bump()?;
            if c == '"' {
                let mut n = 0;
                while n < hashes && self.peek() == Some('#') {
                    self.bump();
                    n += 1;
                }
                if n == hashes {
                    return Some(s);
                }
                s.push('"');
                s.extend(std::iter::repeat_n('#', n));
            } else {
                s.push(c);
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > 200 {
            return None;
        }
        self.skip_ws();
        let start = self.pos();
        let start_i = self.i;
        let kind = match self.peek()? {
            '"' | '\'' => Kind::Atom(self.string()?),
            'r' if self.raw_string_ahead() => Kind::Atom(self.raw_string()?),
            '[' => {
                self.bump();
                Kind::Seq {
                    name: None,
                    items: self.items(']', depth)?,
                }
            }
            '{' => {
                self.bump();
                let mut entries = Vec::new();
                loop {
                    self.skip_ws();
                    if self.peek()? == '}' {
                        self.bump();
                        break;
                    }
                    let k = self.value(depth + 1)?;
                    self.skip_ws();
                    if self.bump()? != ':' {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    entries.push((k, v));
                    self.skip_ws();
                    if self.peek()? == ',' {
                        self.bump();
                    }
                }
                Kind::Map(entries)
            }
            '(' => self.parens(None, depth)?,
            _ => {
                let mut w = self.word();
                if w.is_empty() {
                    return None;
                }
                // A raw identifier names what the identifier does.
                if let Some(plain) = w.strip_prefix("r#") {
                    w = plain.to_string();
                }
                let save = (self.i, self.line, self.col);
                self.skip_ws();
                if self.peek() == Some('(') {
                    self.parens(Some(w), depth)?
                } else {
                    (self.i, self.line, self.col) = save;
                    Kind::Atom(w)
                }
            }
        };
        Some(Node {
            start,
            end: self.pos(),
            chars: (start_i, self.i),
            kind,
        })
    }

    fn items(&mut self, close: char, depth: usize) -> Option<Vec<Node>> {
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.peek()? == close {
                self.bump();
                return Some(items);
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            if self.peek()? == ',' {
                self.bump();
            }
        }
    }

    /// After `(`: named fields if the first thing is `ident :`, else positional items.
    fn parens(&mut self, name: Option<String>, depth: usize) -> Option<Kind> {
        self.bump(); // (
        self.skip_ws();
        let save = (self.i, self.line, self.col);
        let first = self.word();
        self.skip_ws();
        let named = !first.is_empty()
            && first
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
            && self.peek() == Some(':');
        (self.i, self.line, self.col) = save;
        if !named {
            return Some(Kind::Seq {
                name,
                items: self.items(')', depth)?,
            });
        }
        let mut fields = Vec::new();
        loop {
            self.skip_ws();
            if self.peek()? == ')' {
                self.bump();
                return Some(Kind::Struct { name, fields });
            }
            let key_pos = self.pos();
            let key = self.word();
            self.skip_ws();
            if key.is_empty() || self.bump()? != ':' {
                return None;
            }
            let v = self.value(depth + 1)?;
            fields.push((key, key_pos, v));
            self.skip_ws();
            if self.peek()? == ',' {
                self.bump();
            }
        }
    }
}

/// Reads the span tree of a RON text; `None` if it cannot.
pub fn read(src: &str) -> Option<Node> {
    let mut r = Reader {
        chars: src.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
        _src: src,
    };
    // Inner attributes such as `#![enable(implicit_some)]` come first.
    loop {
        r.skip_ws();
        if r.peek() == Some('#') && r.peek2() == Some('!') {
            while let Some(c) = r.bump() {
                if c == ']' {
                    break;
                }
            }
        } else {
            break;
        }
    }
    r.value(0)
}

impl Node {
    /// The node at `path`, or the deepest node on the way to it.
    pub fn find(&self, path: &[Seg]) -> &Node {
        let Some((first, rest)) = path.split_first() else {
            return self;
        };
        match self.child(first) {
            Some(c) => c.find(rest),
            None => self,
        }
    }

    /// The node at exactly `path`, if the file has it.
    pub fn find_exact(&self, path: &[Seg]) -> Option<&Node> {
        match path.split_first() {
            None => Some(self),
            Some((first, rest)) => self.child(first)?.find_exact(rest),
        }
    }

    /// The key node of the map entry at `path` (which ends with a [`Seg::Key`]), or the deepest
    /// node on the way to it.
    pub fn find_key(&self, path: &[Seg]) -> &Node {
        let Some((Seg::Key(k), parent)) = path.split_last() else {
            return self.find(path);
        };
        let map = self.find(parent);
        match &map.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(key, _)| matches!(&key.kind, Kind::Atom(a) if a == k))
                .map_or(map, |(key, _)| key),
            _ => map,
        }
    }

    fn child(&self, seg: &Seg) -> Option<&Node> {
        match (&self.kind, seg) {
            // `Some(x)` is transparent.
            (
                Kind::Seq {
                    name: Some(n),
                    items,
                },
                _,
            ) if n == "Some" && items.len() == 1 => items[0].child(seg),
            (Kind::Struct { fields, .. }, Seg::Field(f)) => {
                fields.iter().find(|(k, _, _)| k == f).map(|(_, _, n)| n)
            }
            (Kind::Seq { items, .. }, Seg::Index(i)) => items.get(*i),
            (Kind::Map(entries), Seg::Key(k)) => entries
                .iter()
                .find(|(key, _)| matches!(&key.kind, Kind::Atom(a) if a == k))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The innermost node whose extent holds `pos`.
    pub fn innermost_at(&self, pos: Pos) -> &Node {
        let children: Vec<&Node> = match &self.kind {
            Kind::Atom(_) => vec![],
            Kind::Struct { fields, .. } => fields.iter().map(|(_, _, n)| n).collect(),
            Kind::Seq { items, .. } => items.iter().collect(),
            Kind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        };
        for c in children {
            if c.start <= pos && pos < c.end {
                return c.innermost_at(pos);
            }
        }
        self
    }

    /// The nodes down to the innermost at `pos`, as [`Node::innermost_at`] finds it but also
    /// taking a node that ends exactly at `pos`: ron reports a value that fits no variant of an
    /// untagged enum (a bare word where a number or a distribution belongs) just past it.
    /// The nodes from this one down to it, outermost first.
    pub fn chain_at_or_after(&self, pos: Pos) -> Vec<&Node> {
        let children: Vec<&Node> = match &self.kind {
            Kind::Atom(_) => vec![],
            Kind::Struct { fields, .. } => fields.iter().map(|(_, _, n)| n).collect(),
            Kind::Seq { items, .. } => items.iter().collect(),
            Kind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        };
        let mut chain = vec![self];
        if let Some(c) = children
            .into_iter()
            .find(|c| c.start <= pos && pos <= c.end)
        {
            chain.extend(c.chain_at_or_after(pos));
        }
        chain
    }

    /// Positions of keys that appear twice in a `{...}` map anywhere below this node: ron keeps
    /// the last one silently, which hides typos such as two costs for the same actor.
    pub fn duplicate_map_keys(&self, out: &mut Vec<(String, Pos, Pos)>) {
        match &self.kind {
            Kind::Atom(_) => {}
            Kind::Struct { fields, .. } => fields
                .iter()
                .for_each(|(_, _, n)| n.duplicate_map_keys(out)),
            Kind::Seq { items, .. } => items.iter().for_each(|n| n.duplicate_map_keys(out)),
            Kind::Map(entries) => {
                // A hash of the keys seen: a hostile map may hold a hundred thousand keys.
                let mut first: std::collections::HashMap<&str, Pos> = Default::default();
                for (k, v) in entries {
                    if let Kind::Atom(a) = &k.kind {
                        match first.get(a.as_str()) {
                            Some(&at) => out.push((a.clone(), k.start, at)),
                            None => {
                                first.insert(a, k.start);
                            }
                        }
                    }
                    v.duplicate_map_keys(out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let src = "Scenario(\n  name: \"x\", // c\n  levers: [\n    Measure(name: \"a\", costs: {\"r\": 1, \"r\": 2}),\n    Act(name: \"b\", weight: Some(Uniform(min: 1, max: 2))),\n  ],\n)";
        let tree = read(src).unwrap();
        let n = tree.find(&[
            Seg::Field("levers"),
            Seg::Index(1),
            Seg::Field("weight"),
            Seg::Field("max"),
        ]);
        assert_eq!((n.start.line, n.start.col), (5, 54));
        let n = tree.find(&[
            Seg::Field("levers"),
            Seg::Index(0),
            Seg::Field("costs"),
            Seg::Key("r".into()),
        ]);
        assert_eq!((n.start.line, n.start.col), (4, 37));
        let mut dups = vec![];
        tree.duplicate_map_keys(&mut dups);
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].1, Pos { line: 4, col: 40 });
    }
}
