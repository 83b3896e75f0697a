//! The agenda's shape: items in one order, a top-level item followed by its sub-items (1, 1.1,
//! 1.2, 2). Checks on a new order or a move, and how an added, moved or removed item changes the
//! items a mirror keeps — the decider, the mirror and the store's loading all use these.

use std::collections::HashSet;

use phonghop_protocol::{AgendaItem, ItemId};

/// Why a change to the agenda's shape is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgendaError {
    #[error("the new order names {given} items but the agenda has {expected}")]
    WrongLength { given: usize, expected: usize },
    #[error("item {0} is not on this agenda")]
    UnknownItem(ItemId),
    #[error("item {0} is named twice")]
    Duplicate(ItemId),
    #[error("item {item} is a sub-item of item {parent} and must stay after it, among its other sub-items")]
    SubItemAway { item: ItemId, parent: ItemId },
    #[error("item {0} is a sub-item; a sub-item cannot have sub-items of its own")]
    TooDeep(ItemId),
    #[error("item {0} has sub-items, so it cannot become a sub-item itself")]
    HasSubItems(ItemId),
    #[error("an item cannot be placed under itself")]
    UnderItself,
    #[error("place {index} is past the end: there are {siblings} items at that level")]
    PastTheEnd { index: u32, siblings: usize },
}

/// The parent a new sub-item may have: an item of the agenda that is not itself a sub-item.
pub fn check_parent(items: &[AgendaItem], parent: ItemId) -> Result<(), AgendaError> {
    match items.iter().find(|item| item.id == parent) {
        None => Err(AgendaError::UnknownItem(parent)),
        Some(item) if item.parent.is_some() => Err(AgendaError::TooDeep(parent)),
        Some(_) => Ok(()),
    }
}

/// Where an item added under `parent` goes: after the parent's last sub-item (or the parent), or
/// at the end of the agenda without a parent. `items` is in order.
pub fn position_for_new(items: &[AgendaItem], parent: Option<ItemId>) -> u32 {
    let Some(parent) = parent else {
        return items.len() as u32;
    };
    let last_of_family = items
        .iter()
        .rposition(|item| item.id == parent || item.parent == Some(parent))
        .map_or(items.len(), |index| index + 1);
    last_of_family as u32
}

/// Checks that `new_order` names every item of `items` exactly once and keeps each sub-item
/// after its parent, among its siblings.
pub fn check_reorder(items: &[AgendaItem], new_order: &[ItemId]) -> Result<(), AgendaError> {
    if items.len() != new_order.len() {
        return Err(AgendaError::WrongLength {
            given: new_order.len(),
            expected: items.len(),
        });
    }
    let mut seen = HashSet::new();
    let mut last_top_level = None;
    for &id in new_order {
        let item = items
            .iter()
            .find(|item| item.id == id)
            .ok_or(AgendaError::UnknownItem(id))?;
        if !seen.insert(id) {
            return Err(AgendaError::Duplicate(id));
        }
        match item.parent {
            None => last_top_level = Some(id),
            Some(parent) if last_top_level != Some(parent) => {
                return Err(AgendaError::SubItemAway { item: id, parent });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The agenda's order after moving `item_id` (with its sub-items) to place `index` among the
/// children of `parent` (`None`: the top level). `items` is in order.
pub fn order_after_move(
    items: &[AgendaItem],
    item_id: ItemId,
    parent: Option<ItemId>,
    index: u32,
) -> Result<Vec<ItemId>, AgendaError> {
    let moved = items
        .iter()
        .find(|item| item.id == item_id)
        .ok_or(AgendaError::UnknownItem(item_id))?;
    if let Some(parent) = parent {
        if parent == item_id {
            return Err(AgendaError::UnderItself);
        }
        check_parent(items, parent)?;
        if items.iter().any(|item| item.parent == Some(item_id)) {
            return Err(AgendaError::HasSubItems(item_id));
        }
    }
    // The block that moves: the item and, for a top-level one, its sub-items.
    let block: Vec<ItemId> = items
        .iter()
        .filter(|item| item.id == item_id || (moved.parent.is_none() && item.parent == Some(item_id)))
        .map(|item| item.id)
        .collect();
    let rest: Vec<&AgendaItem> = items.iter().filter(|item| !block.contains(&item.id)).collect();
    let siblings: Vec<usize> = (0..rest.len()).filter(|&at| rest[at].parent == parent).collect();
    let index = index as usize;
    if index > siblings.len() {
        return Err(AgendaError::PastTheEnd {
            index: index as u32,
            siblings: siblings.len(),
        });
    }
    let insert_at = match siblings.get(index) {
        Some(&at) => at,
        // After the last sibling's family, or right after the parent when it has no children.
        None => match parent {
            None => rest.len(),
            Some(parent) => {
                rest.iter()
                    .rposition(|item| item.id == parent || item.parent == Some(parent))
                    .expect("the parent was checked to be on the agenda")
                    + 1
            }
        },
    };
    let mut order: Vec<ItemId> = rest.iter().map(|item| item.id).collect();
    order.splice(insert_at..insert_at, block);
    Ok(order)
}

/// Inserts an added item at its position; the items from there on move down one place.
pub fn insert(items: &mut Vec<AgendaItem>, item: AgendaItem) {
    let at = (item.position as usize).min(items.len());
    items.insert(at, item);
    renumber(items);
}

/// Gives `item_id` its new parent and every item its place in `order`.
pub fn apply_move(items: &mut [AgendaItem], item_id: ItemId, parent: Option<ItemId>, order: &[ItemId]) {
    if let Some(item) = items.iter_mut().find(|item| item.id == item_id) {
        item.parent = parent;
    }
    apply_order(items, order);
}

/// Gives every item named in `order` its place there, and sorts.
pub fn apply_order(items: &mut [AgendaItem], order: &[ItemId]) {
    for (position, id) in order.iter().enumerate() {
        if let Some(item) = items.iter_mut().find(|item| item.id == *id) {
            item.position = position as u32;
        }
    }
    items.sort_by_key(|item| (item.position, item.id));
}

/// Takes a removed item out; the items after it move up one place.
pub fn remove(items: &mut Vec<AgendaItem>, item_id: ItemId) {
    items.retain(|item| item.id != item_id);
    renumber(items);
}

fn renumber(items: &mut [AgendaItem]) {
    for (position, item) in items.iter_mut().enumerate() {
        item.position = position as u32;
    }
}

/// The number an item is shown with: "2" for the second top-level item, "2.1" for its first
/// sub-item. `items` is in order.
pub fn number(items: &[AgendaItem], item_id: ItemId) -> Option<String> {
    let mut top = 0;
    let mut sub = 0;
    for item in items {
        if item.parent.is_none() {
            top += 1;
            sub = 0;
        } else {
            sub += 1;
        }
        if item.id == item_id {
            return Some(match item.parent {
                None => top.to_string(),
                Some(_) => format!("{top}.{sub}"),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(numbers: &[u32]) -> Vec<ItemId> {
        numbers.iter().copied().map(ItemId).collect()
    }

    /// Items in the order given, each `(id, parent)`.
    fn agenda(shape: &[(u32, Option<u32>)]) -> Vec<AgendaItem> {
        shape
            .iter()
            .enumerate()
            .map(|(position, &(id, parent))| AgendaItem {
                id: ItemId(id),
                position: position as u32,
                parent: parent.map(ItemId),
                title: format!("Mục {id}"),
                description: String::new(),
                documents: vec![],
            })
            .collect()
    }

    fn order(items: &[AgendaItem]) -> Vec<u32> {
        items.iter().map(|item| item.id.0).collect()
    }

    #[test]
    fn reorder_must_be_a_permutation() {
        let current = agenda(&[(1, None), (2, None), (3, None)]);
        assert_eq!(check_reorder(&current, &ids(&[3, 1, 2])), Ok(()));
        assert_eq!(
            check_reorder(&current, &ids(&[3, 1])),
            Err(AgendaError::WrongLength { given: 2, expected: 3 })
        );
        assert_eq!(
            check_reorder(&current, &ids(&[3, 1, 9])),
            Err(AgendaError::UnknownItem(ItemId(9)))
        );
        assert_eq!(
            check_reorder(&current, &ids(&[3, 3, 1])),
            Err(AgendaError::Duplicate(ItemId(3)))
        );
    }

    #[test]
    fn reorder_keeps_sub_items_with_their_parent() {
        let current = agenda(&[(1, None), (4, Some(1)), (5, Some(1)), (2, None)]);
        assert_eq!(check_reorder(&current, &ids(&[2, 1, 5, 4])), Ok(()));
        assert_eq!(
            check_reorder(&current, &ids(&[1, 4, 2, 5])),
            Err(AgendaError::SubItemAway {
                item: ItemId(5),
                parent: ItemId(1)
            })
        );
        assert_eq!(
            check_reorder(&current, &ids(&[4, 1, 5, 2])),
            Err(AgendaError::SubItemAway {
                item: ItemId(4),
                parent: ItemId(1)
            })
        );
    }

    #[test]
    fn a_new_sub_item_goes_after_its_family() {
        let current = agenda(&[(1, None), (4, Some(1)), (2, None), (3, None)]);
        assert_eq!(position_for_new(&current, None), 4);
        assert_eq!(position_for_new(&current, Some(ItemId(1))), 2);
        assert_eq!(position_for_new(&current, Some(ItemId(2))), 3);
        assert_eq!(check_parent(&current, ItemId(4)), Err(AgendaError::TooDeep(ItemId(4))));
        assert_eq!(
            check_parent(&current, ItemId(9)),
            Err(AgendaError::UnknownItem(ItemId(9)))
        );

        let mut items = current.clone();
        let mut added = agenda(&[(6, Some(2))]).remove(0);
        added.position = position_for_new(&items, Some(ItemId(2)));
        insert(&mut items, added);
        assert_eq!(order(&items), [1, 4, 2, 6, 3]);
        assert!(items.iter().enumerate().all(|(at, item)| item.position == at as u32));
        assert_eq!(number(&items, ItemId(6)).as_deref(), Some("2.1"));
        assert_eq!(number(&items, ItemId(3)).as_deref(), Some("3"));
        assert_eq!(number(&items, ItemId(4)).as_deref(), Some("1.1"));
    }

    #[test]
    fn moving_takes_the_family_along_and_keeps_the_shape() {
        let items = agenda(&[(1, None), (4, Some(1)), (5, Some(1)), (2, None), (3, None)]);
        // Item 1 with its sub-items to the end.
        let moved = order_after_move(&items, ItemId(1), None, 2).unwrap();
        assert_eq!(moved, ids(&[2, 3, 1, 4, 5]));
        // A sub-item to the front of its siblings.
        assert_eq!(
            order_after_move(&items, ItemId(5), Some(ItemId(1)), 0).unwrap(),
            ids(&[1, 5, 4, 2, 3])
        );
        // A sub-item under another parent, which had none.
        assert_eq!(
            order_after_move(&items, ItemId(4), Some(ItemId(3)), 0).unwrap(),
            ids(&[1, 5, 2, 3, 4])
        );
        // A sub-item up to the top level, between 1's family and 2.
        assert_eq!(
            order_after_move(&items, ItemId(4), None, 1).unwrap(),
            ids(&[1, 5, 4, 2, 3])
        );
        // A top-level item without sub-items becomes a sub-item.
        assert_eq!(
            order_after_move(&items, ItemId(3), Some(ItemId(1)), 2).unwrap(),
            ids(&[1, 4, 5, 3, 2])
        );
        assert_eq!(
            order_after_move(&items, ItemId(1), Some(ItemId(2)), 0),
            Err(AgendaError::HasSubItems(ItemId(1)))
        );
        assert_eq!(
            order_after_move(&items, ItemId(3), Some(ItemId(4)), 0),
            Err(AgendaError::TooDeep(ItemId(4)))
        );
        assert_eq!(
            order_after_move(&items, ItemId(3), Some(ItemId(3)), 0),
            Err(AgendaError::UnderItself)
        );
        assert_eq!(
            order_after_move(&items, ItemId(2), None, 4),
            Err(AgendaError::PastTheEnd { index: 4, siblings: 2 })
        );

        let mut applied = items.clone();
        apply_move(&mut applied, ItemId(4), Some(ItemId(3)), &ids(&[1, 5, 2, 3, 4]));
        assert_eq!(order(&applied), [1, 5, 2, 3, 4]);
        assert_eq!(applied[4].parent, Some(ItemId(3)));
        let shape: Vec<ItemId> = applied.iter().map(|item| item.id).collect();
        assert_eq!(check_reorder(&applied, &shape), Ok(()));

        remove(&mut applied, ItemId(2));
        assert_eq!(order(&applied), [1, 5, 3, 4]);
        assert!(applied.iter().enumerate().all(|(at, item)| item.position == at as u32));
    }
}
