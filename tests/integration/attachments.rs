//! A local attachment whose file is the truth (issue 23): with `path` alone, the URL is the path
//! under `[feed] link`, the type comes from the file's bytes (a `.bin` name that holds a PDF is a
//! PDF), the size, the page count and the title from the PDF; a `path` naming no file is a
//! `check` error with file, line and key.

use crate::Setup;

/// A small valid PDF of `pages` blank pages whose Info dictionary has `title`.
fn pdf(pages: usize, title: &str) -> Vec<u8> {
    let mut objs: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + i)).collect();
    objs.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objs.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} >>",
        kids.join(" ")
    ));
    objs.push(format!("<< /Title ({title}) /Producer (feedbraid test) >>"));
    for _ in 0..pages {
        objs.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".into());
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 3 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Description: a local entry whose attachment gives only `path = "files/brief.bin"`, a 3-page
/// PDF titled "Community guide" under a name that does not say PDF.
/// Expect: the feed's enclosure is `https://test.example.org/files/brief.bin`,
/// `application/pdf`, with the file's length; the page says "PDF, 3 pages" and the title.
#[test]
fn an_attachment_given_by_path_alone_is_described_by_its_file() {
    let s = Setup::new::<&str>(&[], "");
    let bytes = pdf(3, "Community guide");
    std::fs::create_dir_all(s.dir.path().join("files")).expect("mkdir");
    std::fs::write(s.dir.path().join("files/brief.bin"), &bytes).expect("pdf");
    s.append(
        "[[entry]]\ntitle = \"A guide\"\nslug = \"guide\"\npublished = \"2026-11-20\"\n\
         summary = \"<p>The guide</p>\"\nattachments = [{ path = \"files/brief.bin\" }]\n",
    );
    let out = s.command("check", &[]).output().expect("check");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.run_offline().expect("run");
    let feed = s.feed();
    let want = format!(
        "href=\"https://test.example.org/files/brief.bin\" type=\"application/pdf\" title=\"Community guide\" length=\"{}\"",
        bytes.len()
    );
    let link = feed
        .lines()
        .find(|l| l.contains("files/brief.bin"))
        .unwrap_or_else(|| panic!("no enclosure: {feed}"));
    for part in [
        "https://test.example.org/files/brief.bin",
        "application/pdf",
        &format!("length=\"{}\"", bytes.len()),
    ] {
        assert!(link.contains(part), "{part} in {link} (want like {want})");
    }
    let page = std::fs::read_to_string(s.out().join("index.html")).expect("index");
    assert!(page.contains("PDF, 3 pages"), "{page}");
    assert!(
        page.contains("Community guide"),
        "the PDF's title names the download"
    );
}

/// Description: an attachment whose `path` names no file.
/// Expect: `check` exits 2 and names feeds.toml, the line and `entry[1].attachments[0].path`.
#[test]
fn an_attachment_path_naming_no_file_is_a_check_error() {
    let s = Setup::new::<&str>(&[], "");
    let lines = std::fs::read_to_string(s.config())
        .expect("cfg")
        .lines()
        .count();
    s.append(
        "[[entry]]\ntitle = \"A guide\"\nslug = \"guide\"\npublished = \"2026-11-20\"\n\
         attachments = [{ path = \"files/missing.pdf\" }]\n",
    );
    let out = s.command("check", &[]).output().expect("check");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("feeds.toml:{}:", lines + 5)), "{err}");
    assert!(err.contains("entry[1].attachments[0].path"), "{err}");
}
