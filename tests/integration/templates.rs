//! Template overrides (`[output] templates = "DIR"`), as a careless editor or a hostile partner
//! would try them (issue 27). Defect 14: a partial is HTML-escaped whatever its file name
//! (`.j2`, `.jinja`, `.inc`, `.txt`), so a partner's title never becomes markup. Defect 15:
//! `feedbraid check` renders every page template once against a sample entry and loads
//! `withdrawn.toml`, so it refuses what a run would refuse, with a message that names the
//! undefined variable or says "recursion".

use crate::Setup;

/// A title that is markup as text: the entry's title is `<img src=x onerror=alert(1)>`.
const HOSTILE: &str = "&lt;img src=x onerror=alert(1)&gt;";

/// A config with a local entry titled [`HOSTILE`] and `files` as its template folder.
fn with_templates(files: &[(&str, &str)]) -> Setup {
    let s = Setup::new::<&str>(&[], "");
    s.append(&format!(
        "[[entry]]\ntitle = \"{HOSTILE}\"\nslug = \"hostile\"\npublished = \"2025-12-02\"\n"
    ));
    let dir = s.dir.path().join("tpl");
    std::fs::create_dir(&dir).expect("template folder");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("template");
    }
    s.append("[output]\ntemplates = \"tpl\"\n");
    s
}

#[test]
fn partials_are_escaped_whatever_their_extension() {
    for ext in ["j2", "jinja", "inc", "txt", "html"] {
        let page = format!(
            "<!DOCTYPE html><html><body>{{% for e in entries %}}{{% include \"item.{ext}\" %}}{{% endfor %}}</body></html>\n"
        );
        let s = with_templates(&[
            ("page.html", &page),
            (&format!("item.{ext}"), "<h2>{{ e.title }}</h2>\n"),
        ]);
        let report = s.run_offline().expect("offline run");
        assert_eq!(report.exit_code(), 0, "{}", report.summary());
        let html = std::fs::read_to_string(s.out().join("index.html")).expect("index.html");
        assert!(
            html.contains("<h2>&lt;img src=x onerror=alert(1)&gt;</h2>"),
            ".{ext}: the title is shown, escaped:\n{html}"
        );
        assert!(!html.contains("<img"), ".{ext}: raw markup:\n{html}");
    }
}

/// `feedbraid check` and `feedbraid run` on the same setup: both exit 2, and check's message
/// contains every one of `words`.
fn check_refuses(s: &Setup, words: &[&str]) {
    let (code, stderr) = s.cli("check", &[]);
    assert_eq!(code, Some(2), "check must refuse it: {stderr}");
    for w in words {
        assert!(stderr.contains(w), "`{w}` missing from: {stderr}");
    }
    let (code, run_err) = s.cli("run", &["--offline"]);
    assert_eq!(code, Some(2), "and so does the run: {run_err}");
}

#[test]
fn check_renders_the_templates_as_a_run_would() {
    // An undefined variable, inside the loop over entries: named in the message.
    let s = with_templates(&[(
        "page.html",
        "<html>{% for e in entries %}<p>{{ e.no_such_field }}</p>{% endfor %}</html>\n",
    )]);
    check_refuses(&s, &["page.html", "no_such_field"]);

    // Only in a branch the sample takes: a subtitle.
    let s = with_templates(&[(
        "page.html",
        "<html>{% if subtitle %}{{ undefined_thing }}{% endif %}</html>\n",
    )]);
    s.append("[[view]]\nname = \"v\"\ntitle = \"V\"\nsubtitle = \"Sub\"\n");
    let (code, stderr) = s.cli("check", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("undefined_thing"), "{stderr}");

    // A file outside the template folder.
    let s = with_templates(&[("page.html", "<html>{% include \"/etc/passwd\" %}</html>\n")]);
    check_refuses(&s, &["page.html", "/etc/passwd"]);

    // A page that includes itself, and two partials that include each other.
    let s = with_templates(&[("page.html", "<html>{% include \"page.html\" %}</html>\n")]);
    check_refuses(&s, &["page.html", "recursion"]);
    let s = with_templates(&[
        ("embed.html", "<ul>{% include \"a.inc\" %}</ul>\n"),
        ("a.inc", "{% include \"b.inc\" %}"),
        ("b.inc", "{% include \"a.inc\" %}"),
    ]);
    check_refuses(&s, &["recursion"]);

    // The library's template (issue 22): a month page's rows.
    let s = with_templates(&[(
        "library.html",
        "<html>{% for r in rows %}{{ r.no_such_field }}{% endfor %}</html>\n",
    )]);
    check_refuses(&s, &["library.html", "no_such_field"]);
    // Its rows are `entry.html`, rendered alone: an error there is named too.
    let s = with_templates(&[("entry.html", "<article>{{ e.no_such_field }}</article>\n")]);
    check_refuses(&s, &["entry.html", "no_such_field"]);
    // In a branch only a partner with a website takes: check alone sees it.
    let s = with_templates(&[(
        "library.html",
        "<html>{% for f in facts %}{{ f.no_such_field }}{% endfor %}</html>\n",
    )]);
    let (code, stderr) = s.cli("check", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no_such_field"), "{stderr}");

    // And a good override still passes.
    let s = with_templates(&[("item.j2", "<h2>{{ e.title }}</h2>\n")]);
    let (code, stderr) = s.cli("check", &[]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn check_loads_withdrawn_toml_as_a_run_would() {
    let s = Setup::new::<&str>(&[], "");
    std::fs::write(
        s.dir.path().join("withdrawn.toml"),
        "[[withdrawn]]\nid = \"tag:x,2026:1\"\nwhen = \"last Tuesday\"\n",
    )
    .expect("withdrawn.toml");
    check_refuses(&s, &["withdrawn.toml:3", "withdrawn[0].when"]);

    std::fs::write(
        s.dir.path().join("withdrawn.toml"),
        "[[withdrawn]]\nid = \"tag:x,2026:1\"\nwhen = 2026-01-05T10:00:00Z\n",
    )
    .expect("withdrawn.toml");
    let (code, stderr) = s.cli("check", &[]);
    assert_eq!(code, Some(0), "{stderr}");
}
