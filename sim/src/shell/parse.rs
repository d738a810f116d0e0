//! Parser of the phone shell's command language.
//!
//! Supported: words with `'single'` and `"double"` quotes and `\` escapes;
//! `$?`, `$$`, `$NAME`, `${NAME}`; lists joined by `;`, newline, `&&`, `||`;
//! pipelines with `|`; redirections `>`, `>>`, `<`, `N>`, `N>>`, `N>&M`, `>&M`;
//! `#` comments. Command substitution and background jobs are refused with a
//! syntax error rather than half-supported.

/// Longest command line accepted, in bytes (ADB payloads are smaller anyway).
pub const MAX_LINE: usize = 64 * 1024;

/// How a pipeline is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// `;` or newline: always run.
    Seq,
    /// `&&`: run when the previous status is 0.
    And,
    /// `||`: run when the previous status is not 0.
    Or,
}

/// A whole command line: pipelines and how they are joined.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct List {
    /// The pipelines in order; the first connector is always `Seq`.
    pub items: Vec<(Connector, Pipeline)>,
}

/// Commands joined by `|`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    /// The commands, left to right.
    pub commands: Vec<Command>,
}

/// One simple command: words and redirections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// Command name and arguments, unexpanded.
    pub words: Vec<Word>,
    /// Redirections, in the order written.
    pub redirects: Vec<Redirect>,
}

/// A word before expansion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    /// Literal text and variable references.
    pub parts: Vec<Part>,
}

/// A piece of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Lit(String),
    /// `$?`.
    LastStatus,
    /// `$$`.
    Pid,
    /// `$NAME` or `${NAME}`.
    Var(String),
}

/// A redirection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    /// `N> file` / `N>> file`.
    ToFile {
        /// File descriptor (1 or 2).
        fd: u8,
        /// Target path.
        target: Word,
        /// `>>`.
        append: bool,
    },
    /// `N>&M`.
    Dup {
        /// Redirected descriptor.
        fd: u8,
        /// Descriptor it now writes to.
        to: u8,
    },
    /// `< file`.
    FromFile(Word),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(Word),
    Op(&'static str),
    Redir { fd: Option<u8>, op: &'static str },
}

/// Parses a command line; the error text is what the shell prints after `syntax error: `.
pub fn parse(line: &str) -> Result<List, String> {
    if line.len() > MAX_LINE {
        return Err(format!("command line of {} bytes is too long", line.len()));
    }
    let tokens = tokenize(line)?;
    build(tokens)
}

fn tokenize(line: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut word = Word::default();
    let mut in_word = false;
    let mut i = 0;
    let mut lit = String::new();

    fn flush_lit(lit: &mut String, word: &mut Word) {
        if !lit.is_empty() {
            word.parts.push(Part::Lit(std::mem::take(lit)));
        }
    }
    fn end_word(lit: &mut String, word: &mut Word, in_word: &mut bool, tokens: &mut Vec<Token>) {
        flush_lit(lit, word);
        if *in_word {
            tokens.push(Token::Word(std::mem::take(word)));
        }
        *in_word = false;
    }

    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\r' => {
                end_word(&mut lit, &mut word, &mut in_word, &mut tokens);
                i += 1;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\n' | ';' => {
                end_word(&mut lit, &mut word, &mut in_word, &mut tokens);
                tokens.push(Token::Op(";"));
                i += 1;
            }
            '&' | '|' => {
                end_word(&mut lit, &mut word, &mut in_word, &mut tokens);
                if chars.get(i + 1) == Some(&c) {
                    tokens.push(Token::Op(if c == '&' { "&&" } else { "||" }));
                    i += 2;
                } else if c == '|' {
                    tokens.push(Token::Op("|"));
                    i += 1;
                } else {
                    return Err("background jobs ('&') are not supported".into());
                }
            }
            '>' | '<' => {
                // A lone digit right before the operator is the descriptor (`2>`).
                let fd = match (&word.parts[..], lit.as_str()) {
                    ([], d) if in_word && d.len() == 1 && d.as_bytes()[0].is_ascii_digit() => {
                        Some(d.as_bytes()[0] - b'0')
                    }
                    _ => None,
                };
                if fd.is_some() {
                    lit.clear();
                    in_word = false;
                    word = Word::default();
                } else {
                    end_word(&mut lit, &mut word, &mut in_word, &mut tokens);
                }
                let op = match (c, chars.get(i + 1)) {
                    ('>', Some('>')) => ">>",
                    ('>', Some('&')) => ">&",
                    ('>', _) => ">",
                    (_, _) => "<",
                };
                i += op.len();
                tokens.push(Token::Redir { fd, op });
            }
            '\'' => {
                in_word = true;
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '\'')
                    .ok_or("no closing quote")?;
                lit.extend(&chars[i + 1..i + 1 + end]);
                i += end + 2;
            }
            '"' => {
                in_word = true;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("no closing quote".into()),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('$' | '`' | '"' | '\\')) => {
                            lit.push(chars[i + 1]);
                            i += 2;
                        }
                        Some('\\') if chars.get(i + 1) == Some(&'\n') => i += 2,
                        Some('$') => {
                            i = dollar(&chars, i, &mut lit, &mut word)?;
                        }
                        Some('`') => return Err("command substitution is not supported".into()),
                        Some(&c) => {
                            lit.push(c);
                            i += 1;
                        }
                    }
                }
            }
            '\\' => {
                match chars.get(i + 1) {
                    Some('\n') => {}
                    Some(&next) => {
                        in_word = true;
                        lit.push(next);
                    }
                    None => {
                        in_word = true;
                        lit.push('\\');
                    }
                }
                i += 2;
            }
            '$' => {
                in_word = true;
                i = dollar(&chars, i, &mut lit, &mut word)?;
            }
            '`' | '(' | ')' => {
                return Err(format!(
                    "'{c}' unexpected (subshells and command substitution are not supported)"
                ));
            }
            c => {
                in_word = true;
                lit.push(c);
                i += 1;
            }
        }
    }
    end_word(&mut lit, &mut word, &mut in_word, &mut tokens);
    Ok(tokens)
}

/// Handles a `$` at `i`; returns the index after what it consumed.
fn dollar(chars: &[char], i: usize, lit: &mut String, word: &mut Word) -> Result<usize, String> {
    let mut push = |part: Part, lit: &mut String| {
        if !lit.is_empty() {
            word.parts.push(Part::Lit(std::mem::take(lit)));
        }
        word.parts.push(part);
    };
    match chars.get(i + 1) {
        Some('?') => {
            push(Part::LastStatus, lit);
            Ok(i + 2)
        }
        Some('$') => {
            push(Part::Pid, lit);
            Ok(i + 2)
        }
        Some('(') => Err("command substitution is not supported".into()),
        Some('{') => {
            let end = chars[i + 2..]
                .iter()
                .position(|&c| c == '}')
                .ok_or("missing '}'")?;
            let name: String = chars[i + 2..i + 2 + end].iter().collect();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("${{{name}}}: bad substitution"));
            }
            push(Part::Var(name), lit);
            Ok(i + 3 + end)
        }
        Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
            let len = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                .count();
            push(Part::Var(chars[i + 1..i + 1 + len].iter().collect()), lit);
            Ok(i + 1 + len)
        }
        _ => {
            lit.push('$');
            Ok(i + 1)
        }
    }
}

fn build(tokens: Vec<Token>) -> Result<List, String> {
    let mut list = List::default();
    let mut connector = Connector::Seq;
    let mut pipeline: Vec<Command> = Vec::new();
    let mut command = Command::default();
    let mut tokens = tokens.into_iter().peekable();

    while let Some(token) = tokens.next() {
        match token {
            Token::Word(w) => command.words.push(w),
            Token::Redir { fd, op } => {
                let target = match tokens.next() {
                    Some(Token::Word(w)) => w,
                    Some(other) => {
                        return Err(format!("{} unexpected after {op}", describe(&other)))
                    }
                    None => return Err(format!("missing file name after {op}")),
                };
                let redirect = match op {
                    "<" => Redirect::FromFile(target),
                    ">&" => {
                        let to = literal(&target)
                            .and_then(|t| t.parse::<u8>().ok())
                            .filter(|t| *t == 1 || *t == 2)
                            .ok_or("only >&1 and >&2 are supported")?;
                        Redirect::Dup {
                            fd: fd.unwrap_or(1),
                            to,
                        }
                    }
                    _ => Redirect::ToFile {
                        fd: fd.unwrap_or(1),
                        target,
                        append: op == ">>",
                    },
                };
                if let Redirect::ToFile { fd, .. } | Redirect::Dup { fd, .. } = &redirect {
                    if *fd != 1 && *fd != 2 {
                        return Err(format!("descriptor {fd} is not supported"));
                    }
                }
                command.redirects.push(redirect);
            }
            Token::Op(op) => {
                if command.words.is_empty() && command.redirects.is_empty() {
                    if op == ";" && pipeline.is_empty() {
                        continue;
                    }
                    return Err(format!("'{op}' unexpected"));
                }
                pipeline.push(std::mem::take(&mut command));
                if op == "|" {
                    if tokens.peek().is_none() {
                        return Err("'|' unexpected at end of line".into());
                    }
                    continue;
                }
                list.items.push((
                    connector,
                    Pipeline {
                        commands: std::mem::take(&mut pipeline),
                    },
                ));
                connector = match op {
                    "&&" => Connector::And,
                    "||" => Connector::Or,
                    _ => Connector::Seq,
                };
                if connector != Connector::Seq && tokens.peek().is_none() {
                    return Err(format!("'{op}' unexpected at end of line"));
                }
            }
        }
    }
    if !command.words.is_empty() || !command.redirects.is_empty() {
        pipeline.push(command);
    }
    if !pipeline.is_empty() {
        list.items
            .push((connector, Pipeline { commands: pipeline }));
    }
    Ok(list)
}

fn literal(word: &Word) -> Option<&str> {
    match &word.parts[..] {
        [Part::Lit(s)] => Some(s),
        _ => None,
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Word(_) => "word".into(),
        Token::Op(op) => format!("'{op}'"),
        Token::Redir { op, .. } => format!("'{op}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Word {
        Word {
            parts: vec![Part::Lit(s.into())],
        }
    }

    fn words(list: &List) -> Vec<Vec<Word>> {
        list.items
            .iter()
            .flat_map(|(_, p)| p.commands.iter().map(|c| c.words.clone()))
            .collect()
    }

    #[test]
    fn quoting_and_escapes() {
        let list = parse(r#"echo 'a b' "c \"d\" $?" e\ f '' "#).unwrap();
        let w = &words(&list)[0];
        assert_eq!(w[1], lit("a b"));
        assert_eq!(
            w[2].parts,
            vec![Part::Lit("c \"d\" ".into()), Part::LastStatus]
        );
        assert_eq!(w[3], lit("e f"));
        assert_eq!(w[4], Word::default());
        assert_eq!(w.len(), 5);
    }

    #[test]
    fn lists_and_pipelines() {
        let list = parse("a && b || c ; d | e\nf;").unwrap();
        let connectors: Vec<_> = list.items.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            connectors,
            [
                Connector::Seq,
                Connector::And,
                Connector::Or,
                Connector::Seq,
                Connector::Seq
            ]
        );
        assert_eq!(list.items[3].1.commands.len(), 2);
    }

    #[test]
    fn redirections() {
        let list = parse("cmd >/dev/null 2>&1 2>> /x < in 1>out").unwrap();
        let c = &list.items[0].1.commands[0];
        assert_eq!(c.words, vec![lit("cmd")]);
        assert_eq!(
            c.redirects,
            vec![
                Redirect::ToFile {
                    fd: 1,
                    target: lit("/dev/null"),
                    append: false
                },
                Redirect::Dup { fd: 2, to: 1 },
                Redirect::ToFile {
                    fd: 2,
                    target: lit("/x"),
                    append: true
                },
                Redirect::FromFile(lit("in")),
                Redirect::ToFile {
                    fd: 1,
                    target: lit("out"),
                    append: false
                },
            ]
        );
        // A digit inside a word is not a descriptor.
        let list = parse("echo a2>f").unwrap();
        assert_eq!(
            list.items[0].1.commands[0].words,
            vec![lit("echo"), lit("a2")]
        );
    }

    #[test]
    fn variables_and_comments() {
        let list = parse("echo $HOME ${X_1} $ $$ # ignored").unwrap();
        let w = &words(&list)[0];
        assert_eq!(w[1].parts, vec![Part::Var("HOME".into())]);
        assert_eq!(w[2].parts, vec![Part::Var("X_1".into())]);
        assert_eq!(w[3], lit("$"));
        assert_eq!(w[4].parts, vec![Part::Pid]);
        assert_eq!(w.len(), 5);
    }

    #[test]
    fn syntax_errors_are_reported_not_guessed() {
        for bad in [
            "echo 'open",
            "echo \"open",
            "&& a",
            "a &&",
            "a |",
            "a | | b",
            "sleep 1 &",
            "echo $(id)",
            "echo `id`",
            "echo >",
            "a 3>x",
            "a >&5",
            "echo ${}",
        ] {
            assert!(parse(bad).is_err(), "{bad} should not parse");
        }
        assert!(parse(&"x".repeat(MAX_LINE + 1)).is_err());
        assert_eq!(parse("").unwrap(), List::default());
        assert_eq!(parse(" ; ").unwrap(), List::default());
    }
}
