//! The rendered pages kept in memory: encoded images by (document, page, width), the least recently
//! used dropped first once their bytes pass a budget, so a reader paging back and forth or zooming
//! out and in again is answered without PDFium, and memory stays bounded however long the meeting.

use std::collections::HashMap;
use std::hash::Hash;

/// Something that knows how many bytes it holds.
pub(crate) trait Weighed {
    fn bytes(&self) -> usize;
}

pub(crate) struct PageCache<K, V> {
    entries: HashMap<K, Entry<V>>,
    budget: usize,
    held: usize,
    /// A counter, not a clock: the entry with the smallest stamp was used longest ago.
    uses: u64,
}

struct Entry<V> {
    value: V,
    last_used: u64,
}

impl<K: Hash + Eq + Clone, V: Weighed + Clone> PageCache<K, V> {
    pub fn new(budget: usize) -> Self {
        PageCache {
            entries: HashMap::new(),
            budget,
            held: 0,
            uses: 0,
        }
    }

    /// The value under `key`, now the most recently used.
    pub fn get(&mut self, key: &K) -> Option<V> {
        self.uses += 1;
        let uses = self.uses;
        self.entries.get_mut(key).map(|entry| {
            entry.last_used = uses;
            entry.value.clone()
        })
    }

    pub fn contains(&self, key: &K) -> bool {
        self.entries.contains_key(key)
    }

    /// Keeps `value`, then drops the least recently used entries until the budget holds again. A
    /// value larger than the whole budget is not kept at all.
    pub fn insert(&mut self, key: K, value: V) {
        if value.bytes() > self.budget {
            return;
        }
        self.uses += 1;
        self.held += value.bytes();
        let replaced = self.entries.insert(
            key,
            Entry {
                value,
                last_used: self.uses,
            },
        );
        if let Some(old) = replaced {
            self.held -= old.value.bytes();
        }
        while self.held > self.budget {
            // A linear scan: the cache holds tens of pages, and eviction happens once per page
            // rendered at most.
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            if let Some(evicted) = self.entries.remove(&oldest) {
                self.held -= evicted.value.bytes();
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn bytes(&self) -> usize {
        self.held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Blob(usize);

    impl Weighed for Blob {
        fn bytes(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn the_least_recently_used_page_goes_first_when_over_budget() {
        let mut cache = PageCache::new(100);
        cache.insert(1, Blob(40));
        cache.insert(2, Blob(40));
        assert_eq!(cache.get(&1), Some(Blob(40)));
        cache.insert(3, Blob(40));
        assert!(cache.contains(&1), "1 was used after 2");
        assert!(!cache.contains(&2));
        assert!(cache.contains(&3));
        assert_eq!(cache.bytes(), 80);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn replacing_a_page_counts_its_bytes_once() {
        let mut cache = PageCache::new(100);
        cache.insert(1, Blob(60));
        cache.insert(1, Blob(30));
        assert_eq!(cache.bytes(), 30);
        cache.insert(2, Blob(70));
        assert_eq!((cache.len(), cache.bytes()), (2, 100));
    }

    #[test]
    fn a_page_larger_than_the_budget_is_not_kept_and_evicts_nothing() {
        let mut cache = PageCache::new(100);
        cache.insert(1, Blob(50));
        cache.insert(2, Blob(101));
        assert!(cache.contains(&1));
        assert!(!cache.contains(&2));
        assert_eq!(cache.bytes(), 50);
    }
}
