//! The councillors a test server imports: one chair, one secretariat and any number of delegates,
//! written as the `ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro` CSV the server reads.

use std::path::Path;

use anyhow::{Context, Result};

const FAMILY_NAMES: [&str; 14] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
];
const MIDDLE_NAMES: [&str; 6] = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Hữu"];
const GIVEN_NAMES: [&str; 17] = [
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Khánh", "Lan", "Long", "Mai", "Nam", "Phúc",
    "Quân", "Thảo",
];
const WARDS: [&str; 5] = [
    "Xã Quyết Thắng",
    "Phường Phan Đình Phùng",
    "Phường Tân Thành",
    "Phường Hoàng Văn Thụ",
    "Xã Đồng Bẩm",
];

/// Usernames of a meeting's people; logins are the councillor codes in lower case (`db001`).
#[derive(Debug, Clone)]
pub struct Roster {
    pub chair: String,
    pub secretariat: String,
    pub delegates: Vec<String>,
}

impl Roster {
    /// `db001` chairs, `db002` is the secretariat, `db003` onwards are delegates.
    pub fn new(delegates: usize) -> Roster {
        Roster {
            chair: code(1).to_lowercase(),
            secretariat: code(2).to_lowercase(),
            delegates: (0..delegates).map(|index| code(index + 3).to_lowercase()).collect(),
        }
    }

    /// Everyone who votes: the chair first, then the delegates.
    pub fn voters(&self) -> Vec<String> {
        std::iter::once(self.chair.clone())
            .chain(self.delegates.iter().cloned())
            .collect()
    }

    /// Writes the roster as the CSV `phonghop-server import-councillors` reads.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let mut writer = csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
        writer.write_record(["ma_dai_bieu", "ho_ten", "chuc_vu", "don_vi", "vai_tro"])?;
        let count = self.delegates.len() + 2;
        for number in 1..=count {
            let (position, role) = match number {
                1 => ("Chủ tịch HĐND", "chu_toa"),
                2 => ("Chánh Văn phòng", "thu_ky"),
                _ => ("Đại biểu HĐND", "dai_bieu"),
            };
            let ward = WARDS[number % WARDS.len()];
            writer.write_record([code(number).as_str(), &full_name(number), position, ward, role])?;
        }
        writer.flush().context("writing the councillors CSV")?;
        Ok(())
    }
}

fn code(number: usize) -> String {
    format!("DB{number:03}")
}

fn full_name(number: usize) -> String {
    let family = FAMILY_NAMES[number % FAMILY_NAMES.len()];
    let middle = MIDDLE_NAMES[(number / FAMILY_NAMES.len()) % MIDDLE_NAMES.len()];
    let given = GIVEN_NAMES[number % GIVEN_NAMES.len()];
    format!("{family} {middle} {given}")
}
