//! Fuzz target: images through sniff and strip (JPEG, PNG, GIF, WebP), as mirroring takes them.
//! Never a panic; and whatever strip keeps re-sniffs as the same kind, declares the same frames
//! as the input, every one within the pixel limit, and strips to itself (nothing is left to
//! remove). A refused bomb names a frame over the limit.
#![no_main]

use feedbraid::publish::media::{Refusal, frames, sniff, strip, within};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(kind) = sniff(data) else {
        return;
    };
    match strip(kind, data) {
        Ok(out) => {
            assert_eq!(sniff(&out), Ok(kind), "re-sniffs as {kind:?}");
            let kept = frames(kind, &out).expect("the stripped image walks");
            assert!(kept.iter().all(|&(w, h)| within(w, h)), "{kept:?}");
            assert_eq!(frames(kind, data).as_ref(), Ok(&kept), "same frames");
            assert_eq!(strip(kind, &out).as_ref(), Ok(&out), "idempotent");
        }
        Err(Refusal::Bomb(w, h)) => assert!(!within(w, h), "{w}×{h} refused"),
        Err(_) => {}
    }
});
