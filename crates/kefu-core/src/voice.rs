//! Voice messages made playable. WeChat sends voice as AMR (`#!AMR\n`, 8 kHz narrow band; wide
//! band `#!AMR-WB\n` is accepted too), which the window's audio engine does not play. The first
//! time a voice is played, GStreamer (`amrparse ! amrnbdec`, OpenCORE's AMR decoder from
//! gst-plugins-ugly) decodes it to a 16-bit mono WAV beside the stored file
//! (`media/<sha256>.wav`), written to a temp name and renamed into place. [`clip`] returns that
//! file with the duration and a waveform ([`waveform`]: RMS per bar, scaled to the loudest bar).
//! SILK (`#!SILK_V3`), which some clients send, is named as such and not decoded.

use std::path::Path;
use std::time::Duration;

/// Bars in a waveform.
pub const WAVEFORM_BARS: usize = 48;

/// The longest a decode may take before it is given up.
const DECODE_TIMEOUT: Duration = Duration::from_secs(15);

/// The codec of a stored voice file, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// AMR narrow band (`#!AMR\n`).
    AmrNb,
    /// AMR wide band (`#!AMR-WB\n`).
    AmrWb,
    /// Skype SILK as some WeChat clients send it (`#!SILK_V3`, optionally after one byte).
    Silk,
}

/// Why a voice could not be made playable.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// Reading or writing a file failed.
    #[error("voice file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not AMR.
    #[error("not a voice format this app decodes ({0})")]
    Unsupported(&'static str),
    /// GStreamer is missing a part or failed to decode.
    #[error("could not decode the voice: {0}")]
    Decode(String),
}

/// A playable voice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clip {
    /// The WAV, relative to the data directory (`media/<sha256>.wav`).
    pub wav: String,
    /// Length in milliseconds.
    pub duration_ms: u64,
    /// [`WAVEFORM_BARS`] levels, 0–100.
    pub waveform: Vec<u8>,
}

/// The codec of a voice file by its magic bytes.
pub fn sniff(head: &[u8]) -> Option<Codec> {
    if head.starts_with(b"#!AMR\n") {
        Some(Codec::AmrNb)
    } else if head.starts_with(b"#!AMR-WB\n") {
        Some(Codec::AmrWb)
    } else if head.starts_with(b"#!SILK_V3")
        || head.get(1..).is_some_and(|h| h.starts_with(b"#!SILK_V3"))
    {
        Some(Codec::Silk)
    } else {
        None
    }
}

/// The WAV path of a stored voice: the same name with `.wav` (`None` for a name the app did not
/// make).
pub fn wav_path_of(stored: &str) -> Option<String> {
    let (dir, name) = stored.split_once('/')?;
    let (hash, _) = name.split_once('.')?;
    (dir == "media" && hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("media/{hash}.wav"))
}

/// The stored voice a WAV name was made from (`media/<sha256>.wav` → `media/<sha256>.amr`);
/// `None` for any other name.
pub fn voice_path_of(wav: &str) -> Option<String> {
    let hash = wav.strip_prefix("media/")?.strip_suffix(".wav")?;
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("media/{hash}.amr"))
}

/// The playable clip of the stored voice at `stored` (relative to `data_dir`), decoding it the
/// first time.
pub fn clip(data_dir: &Path, stored: &str) -> Result<Clip, VoiceError> {
    let wav = wav_path_of(stored).ok_or(VoiceError::Unsupported("not a stored voice"))?;
    let wav_abs = data_dir.join(&wav);
    if !wav_abs.exists() {
        let source = data_dir.join(stored);
        let head = {
            use std::io::Read;
            let mut head = [0u8; 16];
            let n = std::fs::File::open(&source)?.read(&mut head)?;
            head[..n].to_vec()
        };
        let codec = match sniff(&head) {
            Some(Codec::Silk) => return Err(VoiceError::Unsupported("SILK")),
            Some(c) => c,
            None => return Err(VoiceError::Unsupported("unknown")),
        };
        let tmp = wav_abs.with_extension("wav.part");
        decode_to_wav(&source, &tmp, codec)?;
        std::fs::rename(&tmp, &wav_abs)?;
    }
    let (rate, samples) = read_wav(&std::fs::read(&wav_abs)?)?;
    Ok(Clip {
        wav,
        duration_ms: samples.len() as u64 * 1000 / u64::from(rate.max(1)),
        waveform: waveform(&samples, WAVEFORM_BARS),
    })
}

/// Decodes an AMR file into a 16-bit mono WAV with GStreamer.
fn decode_to_wav(source: &Path, target: &Path, codec: Codec) -> Result<(), VoiceError> {
    use gstreamer as gst;
    use gstreamer::prelude::*;
    let err = |e: &dyn std::fmt::Display| VoiceError::Decode(e.to_string());
    gst::init().map_err(|e| err(&e))?;
    let (decoder, rate) = match codec {
        Codec::AmrWb => ("avdec_amrwb", 16_000),
        _ => ("amrnbdec", 8_000),
    };
    let make = |factory: &str| {
        gst::ElementFactory::make(factory)
            .build()
            .map_err(|_| VoiceError::Decode(format!("the GStreamer element {factory} is missing")))
    };
    let src = make("filesrc")?;
    src.set_property("location", source.to_string_lossy().as_ref());
    let parse = make("amrparse")?;
    let decode = match make(decoder) {
        Ok(d) => d,
        Err(e) if codec == Codec::AmrWb => make("amrwbdec").map_err(|_| e)?,
        Err(e) => return Err(e),
    };
    let convert = make("audioconvert")?;
    let resample = make("audioresample")?;
    let caps = make("capsfilter")?;
    caps.set_property(
        "caps",
        gst::Caps::builder("audio/x-raw")
            .field("format", "S16LE")
            .field("channels", 1i32)
            .field("rate", rate)
            .build(),
    );
    let wavenc = make("wavenc")?;
    let sink = make("filesink")?;
    sink.set_property("location", target.to_string_lossy().as_ref());
    let pipeline = gst::Pipeline::new();
    let chain = [
        &src, &parse, &decode, &convert, &resample, &caps, &wavenc, &sink,
    ];
    pipeline.add_many(chain).map_err(|e| err(&e))?;
    gst::Element::link_many(chain).map_err(|e| err(&e))?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| err(&e))?;
    let bus = pipeline
        .bus()
        .ok_or_else(|| VoiceError::Decode("no bus".into()))?;
    let outcome = match bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(DECODE_TIMEOUT.as_secs()),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    ) {
        Some(msg) => match msg.view() {
            gst::MessageView::Eos(_) => Ok(()),
            gst::MessageView::Error(e) => Err(VoiceError::Decode(e.error().to_string())),
            _ => Err(VoiceError::Decode("unexpected message".into())),
        },
        None => Err(VoiceError::Decode("timed out".into())),
    };
    let _ = pipeline.set_state(gst::State::Null);
    if outcome.is_err() {
        let _ = std::fs::remove_file(target);
    }
    outcome
}

/// The sample rate and samples of a 16-bit mono PCM WAV.
pub fn read_wav(bytes: &[u8]) -> Result<(u32, Vec<i16>), VoiceError> {
    let bad = |why: &str| VoiceError::Decode(format!("bad WAV: {why}"));
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(bad("no RIFF/WAVE header"));
    }
    let mut at = 12;
    let mut rate = None;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        let body = &bytes[at + 8..bytes.len().min(at + 8 + len)];
        match id {
            b"fmt " if body.len() >= 16 => {
                let format = u16::from_le_bytes([body[0], body[1]]);
                let channels = u16::from_le_bytes([body[2], body[3]]);
                let bits = u16::from_le_bytes([body[14], body[15]]);
                if format != 1 || channels != 1 || bits != 16 {
                    return Err(bad("not 16-bit mono PCM"));
                }
                rate = Some(u32::from_le_bytes([body[4], body[5], body[6], body[7]]));
            }
            b"data" => {
                let rate = rate.ok_or_else(|| bad("data before fmt"))?;
                let samples = body
                    .chunks_exact(2)
                    .map(|s| i16::from_le_bytes([s[0], s[1]]))
                    .collect();
                return Ok((rate, samples));
            }
            _ => {}
        }
        at += 8 + len + (len & 1);
    }
    Err(bad("no data chunk"))
}

/// `bars` levels (0–100): the RMS of each equal slice of the samples, scaled so the loudest
/// slice is 100; silence is all zeros.
pub fn waveform(samples: &[i16], bars: usize) -> Vec<u8> {
    if samples.is_empty() || bars == 0 {
        return vec![0; bars];
    }
    let rms: Vec<f64> = (0..bars)
        .map(|i| {
            let from = i * samples.len() / bars;
            let to = ((i + 1) * samples.len() / bars)
                .max(from + 1)
                .min(samples.len());
            let slice = &samples[from.min(to - 1)..to];
            let sum: f64 = slice.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
            (sum / slice.len() as f64).sqrt()
        })
        .collect();
    let peak = rms.iter().copied().fold(0.0, f64::max);
    if peak < 1.0 {
        return vec![0; bars];
    }
    rms.iter()
        .map(|r| (r / peak * 100.0).round().clamp(0.0, 100.0) as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &[u8] = include_bytes!("../../kefu-emulator/scenarios/media/voice_hello.amr");

    #[test]
    fn codecs_are_told_by_their_magic() {
        assert_eq!(sniff(b"#!AMR\n<..."), Some(Codec::AmrNb));
        assert_eq!(sniff(b"#!AMR-WB\n..."), Some(Codec::AmrWb));
        assert_eq!(sniff(b"\x02#!SILK_V3..."), Some(Codec::Silk));
        assert_eq!(sniff(b"RIFF...."), None);
        assert_eq!(
            wav_path_of(&format!("media/{}.amr", "a".repeat(64))).as_deref(),
            Some(format!("media/{}.wav", "a".repeat(64)).as_str())
        );
        assert_eq!(wav_path_of("media/../x.amr"), None);
        let wav = format!("media/{}.wav", "a".repeat(64));
        assert_eq!(
            voice_path_of(&wav).as_deref(),
            Some(format!("media/{}.amr", "a".repeat(64)).as_str())
        );
        assert_eq!(voice_path_of("media/x.wav"), None);
    }

    #[test]
    fn waveform_follows_loudness() {
        let mut samples = vec![0i16; 800];
        samples.extend((0..800).map(|i| if i % 2 == 0 { 8000 } else { -8000 }));
        samples.extend(vec![0i16; 800]);
        samples.extend((0..800).map(|i| if i % 2 == 0 { 4000 } else { -4000 }));
        assert_eq!(waveform(&samples, 4), vec![0, 100, 0, 50]);
        assert_eq!(waveform(&[0; 100], 3), vec![0, 0, 0]);
        assert_eq!(waveform(&[], 2), vec![0, 0]);
    }

    #[test]
    fn an_amr_voice_decodes_to_a_wav_with_its_length_and_shape() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("media")).expect("mkdir");
        let stored = format!("media/{}.amr", "b".repeat(64));
        std::fs::write(dir.path().join(&stored), HELLO).expect("write");
        let clip = clip(dir.path(), &stored).expect("decode");
        assert_eq!(clip.wav, format!("media/{}.wav", "b".repeat(64)));
        // 12.2 kbit/s frames are 32 bytes of 20 ms each.
        let frames = (HELLO.len() - 6) as u64 / 32;
        assert!(
            clip.duration_ms.abs_diff(frames * 20) <= 40,
            "{} ms for {frames} frames",
            clip.duration_ms
        );
        assert_eq!(clip.waveform.len(), WAVEFORM_BARS);
        assert_eq!(clip.waveform.iter().copied().max(), Some(100));
        // Speech with pauses: some bars are much quieter than the loudest.
        assert!(clip.waveform.iter().any(|&b| b < 30), "{:?}", clip.waveform);
        let (rate, _) =
            read_wav(&std::fs::read(dir.path().join(&clip.wav)).expect("wav")).expect("parse");
        assert_eq!(rate, 8000);
        // The second time reads the WAV made the first time.
        assert_eq!(super::clip(dir.path(), &stored).expect("again"), clip);
    }

    #[test]
    fn broken_or_foreign_voice_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("media")).expect("mkdir");
        let silk = format!("media/{}.silk", "c".repeat(64));
        std::fs::write(dir.path().join(&silk), b"\x02#!SILK_V3\x00\x00").expect("write");
        assert!(matches!(
            clip(dir.path(), &silk),
            Err(VoiceError::Unsupported("SILK"))
        ));
        let truncated = format!("media/{}.amr", "d".repeat(64));
        std::fs::write(dir.path().join(&truncated), b"#!AMR\n\x3c\x01").expect("write");
        // A truncated file decodes to nothing or fails; either way no WAV is left half written.
        match clip(dir.path(), &truncated) {
            Ok(c) => assert!(c.duration_ms <= 20),
            Err(VoiceError::Decode(_)) => {
                assert!(
                    !dir.path()
                        .join(wav_path_of(&truncated).expect("wav"))
                        .exists()
                );
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
}
