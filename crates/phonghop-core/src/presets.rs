//! Rule presets: the majority rules a meeting offers its chair, each with its legal source. A
//! meeting starts with its kind's defaults (`data/rule-presets.json`: data the secretariat sees
//! and corrects per meeting, never text in code); `SetRulePreset` and `RemoveRulePreset` change
//! them through the log, replayed in order by [`apply_set`] and [`apply_removed`] on the server
//! and in every mirror alike.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use phonghop_protocol::{LegalSource, MajorityRule, MeetingKind, RuleBasis, RulePreset};

use crate::rules::{self, CountError};
use crate::text::{self, TextError};

/// Why a preset, or the choice of one, is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresetError {
    #[error("no rule preset {0:?} in this meeting")]
    Unknown(String),
    #[error("name a preset or set a rule by hand, not both")]
    PresetAndRule,
    #[error("a preset id is 1 to 40 lowercase letters, digits or dashes, not {0:?}")]
    BadId(String),
    #[error("the preset's name: {0}")]
    Name(TextError),
    #[error("the law of the preset's source: {0}")]
    Law(TextError),
    #[error("the article of the preset's source: {0}")]
    Article(TextError),
    #[error("the preset's rule: {0}")]
    Rule(CountError),
    #[error("a meeting keeps at least one rule preset")]
    LastOne,
}

const MAX_ID_CHARS: usize = 40;

/// The presets a meeting of `kind` starts with, its default first.
pub fn defaults(kind: MeetingKind) -> Vec<RulePreset> {
    static DEFAULTS: OnceLock<BTreeMap<MeetingKind, Vec<RulePreset>>> = OnceLock::new();
    DEFAULTS
        .get_or_init(|| {
            #[derive(serde::Deserialize)]
            struct File {
                council_sitting: Vec<RulePreset>,
                committee_meeting: Vec<RulePreset>,
                conference: Vec<RulePreset>,
            }
            let file: File = serde_json::from_str(include_str!("../data/rule-presets.json"))
                .expect("data/rule-presets.json is checked by this module's tests");
            BTreeMap::from([
                (MeetingKind::CouncilSitting, file.council_sitting),
                (MeetingKind::CommitteeMeeting, file.committee_meeting),
                (MeetingKind::Conference, file.conference),
            ])
        })
        .get(&kind)
        .cloned()
        .unwrap_or_default()
}

/// A preset as stored: its id checked, its texts cleaned like titles, its rule decidable.
pub fn check(preset: &RulePreset) -> Result<RulePreset, PresetError> {
    let id_ok = !preset.id.is_empty()
        && preset.id.len() <= MAX_ID_CHARS
        && preset
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        return Err(PresetError::BadId(preset.id.clone()));
    }
    rules::check_rule(&preset.rule).map_err(PresetError::Rule)?;
    let article = match preset.source.article.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(article) => Some(text::title(article).map_err(PresetError::Article)?),
    };
    Ok(RulePreset {
        id: preset.id.clone(),
        name: text::title(&preset.name).map_err(PresetError::Name)?,
        rule: preset.rule,
        source: LegalSource {
            law: text::title(&preset.source.law).map_err(PresetError::Law)?,
            article,
        },
    })
}

/// Checks that `preset_id` may be removed from `presets`: it is there, and not the last one.
pub fn check_removal(presets: &[RulePreset], preset_id: &str) -> Result<(), PresetError> {
    if !presets.iter().any(|preset| preset.id == preset_id) {
        return Err(PresetError::Unknown(preset_id.to_owned()));
    }
    if presets.len() == 1 {
        return Err(PresetError::LastOne);
    }
    Ok(())
}

/// The rule a poll opens with and its basis: the preset named, the rule set by hand, or else the
/// meeting's first preset (its kind's default). A meeting without presets falls back to
/// [`MajorityRule::default`], with no basis.
pub fn resolve(
    presets: &[RulePreset],
    preset: Option<&str>,
    rule: Option<MajorityRule>,
) -> Result<(MajorityRule, Option<RuleBasis>), PresetError> {
    let basis = |preset: &RulePreset| RuleBasis {
        preset: Some(preset.id.clone()),
        name: preset.name.clone(),
        source: Some(preset.source.clone()),
    };
    match (preset, rule) {
        (Some(_), Some(_)) => Err(PresetError::PresetAndRule),
        (Some(id), None) => presets
            .iter()
            .find(|preset| preset.id == id)
            .map(|preset| (preset.rule, Some(basis(preset))))
            .ok_or_else(|| PresetError::Unknown(id.to_owned())),
        (None, Some(rule)) => Ok((
            rule,
            Some(RuleBasis {
                preset: None,
                name: String::new(),
                source: None,
            }),
        )),
        (None, None) => Ok(presets.first().map_or((MajorityRule::default(), None), |preset| {
            (preset.rule, Some(basis(preset)))
        })),
    }
}

/// A preset set: it replaces the one with its id where it stands, or comes last.
pub fn apply_set(presets: &mut Vec<RulePreset>, preset: &RulePreset) {
    match presets.iter_mut().find(|known| known.id == preset.id) {
        Some(known) => known.clone_from(preset),
        None => presets.push(preset.clone()),
    }
}

/// A preset removed.
pub fn apply_removed(presets: &mut Vec<RulePreset>, preset_id: &str) {
    presets.retain(|preset| preset.id != preset_id);
}

#[cfg(test)]
mod tests {
    use phonghop_protocol::{Base, Comparison, Fraction};

    use super::*;

    const KINDS: [MeetingKind; 3] = [
        MeetingKind::CouncilSitting,
        MeetingKind::CommitteeMeeting,
        MeetingKind::Conference,
    ];

    #[test]
    fn every_kind_has_checked_defaults_naming_a_law_without_an_unchecked_article() {
        for kind in KINDS {
            let presets = defaults(kind);
            assert!(!presets.is_empty(), "{kind:?} has no preset");
            for preset in presets {
                assert_eq!(check(&preset), Ok(preset.clone()));
                assert!(preset.source.article.is_none(), "{preset:?}: articles wait for a check");
            }
        }
    }

    #[test]
    fn a_council_resolution_is_more_than_half_of_all_delegates_with_two_thirds_present() {
        let resolution = &defaults(MeetingKind::CouncilSitting)[0];
        assert_eq!(resolution.id, "resolution");
        assert_eq!(
            resolution.rule,
            MajorityRule {
                base: Base::AllMembers,
                threshold: Fraction::new(1, 2),
                comparison: Comparison::MoreThan,
                quorum: Some(Fraction::new(2, 3)),
            }
        );
    }

    #[test]
    fn a_poll_opens_with_the_preset_named_the_rule_by_hand_or_the_default() {
        let presets = defaults(MeetingKind::CouncilSitting);
        let (rule, basis) = resolve(&presets, Some("dismissal"), None).expect("a preset");
        assert_eq!(rule.threshold, Fraction::new(2, 3));
        let basis = basis.expect("a basis");
        assert_eq!(basis.preset.as_deref(), Some("dismissal"));
        assert!(basis
            .source
            .expect("a source")
            .law
            .contains("Luật Tổ chức chính quyền địa phương"));

        let by_hand = MajorityRule {
            base: Base::Cast,
            ..MajorityRule::default()
        };
        let (rule, basis) = resolve(&presets, None, Some(by_hand)).expect("a rule");
        assert_eq!(rule, by_hand);
        assert_eq!(basis.and_then(|basis| basis.preset), None);

        let (rule, basis) = resolve(&presets, None, None).expect("the default");
        assert_eq!(rule, presets[0].rule);
        assert_eq!(basis.and_then(|basis| basis.preset).as_deref(), Some("resolution"));

        assert_eq!(
            resolve(&presets, Some("nope"), None),
            Err(PresetError::Unknown("nope".into()))
        );
        assert_eq!(
            resolve(&presets, Some("resolution"), Some(by_hand)),
            Err(PresetError::PresetAndRule)
        );
        assert_eq!(resolve(&[], None, None), Ok((MajorityRule::default(), None)));
    }

    #[test]
    fn a_preset_is_checked_before_it_is_kept() {
        let good = defaults(MeetingKind::CouncilSitting)[0].clone();
        let with = |change: fn(&mut RulePreset)| {
            let mut preset = good.clone();
            change(&mut preset);
            check(&preset)
        };
        assert!(matches!(
            with(|p| p.id = "Nghị quyết".into()),
            Err(PresetError::BadId(_))
        ));
        assert!(matches!(with(|p| p.id = String::new()), Err(PresetError::BadId(_))));
        assert!(matches!(with(|p| p.name = "  ".into()), Err(PresetError::Name(_))));
        assert!(matches!(
            with(|p| p.source.law = "\u{200B}".into()),
            Err(PresetError::Law(_))
        ));
        assert!(matches!(
            with(|p| p.rule.threshold = Fraction::new(3, 2)),
            Err(PresetError::Rule(_))
        ));
        let cleaned = with(|p| {
            p.name = "  Thông qua nghị quyết ".into();
            p.source.article = Some(" Điều 91 ".into());
        })
        .expect("a good preset");
        assert_eq!(cleaned.name, "Thông qua nghị quyết");
        assert_eq!(cleaned.source.article.as_deref(), Some("Điều 91"));
        assert_eq!(
            with(|p| p.source.article = Some("  ".into())).map(|p| p.source.article),
            Ok(None)
        );
    }

    #[test]
    fn set_replaces_in_place_or_appends_and_the_last_preset_stays() {
        let mut presets = defaults(MeetingKind::CouncilSitting);
        let mut corrected = presets[0].clone();
        corrected.source.article = Some("Điều 91".into());
        apply_set(&mut presets, &corrected);
        assert_eq!(presets[0], corrected);
        let mut new = corrected.clone();
        new.id = "budget".into();
        apply_set(&mut presets, &new);
        assert_eq!(presets.last(), Some(&new));
        apply_removed(&mut presets, "resolution");
        assert_eq!(presets.len(), 2);
        assert_eq!(
            check_removal(&presets, "resolution"),
            Err(PresetError::Unknown("resolution".into()))
        );
        apply_removed(&mut presets, "dismissal");
        assert_eq!(check_removal(&presets, "budget"), Err(PresetError::LastOne));
    }
}
