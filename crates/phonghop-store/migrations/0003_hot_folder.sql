-- The hot folder (`serve --watch DIR`): what it already took, so nothing is taken twice, also
-- after a restart. A file is known by its place as the meeting sees it — meeting, agenda item,
-- file name — not by its folders' names, so renaming `3 - Dự thảo` to `3 - Dự thảo (sửa)` keeps it.
CREATE TABLE hot_folder_files (
    meeting_id  INTEGER NOT NULL,
    item_id     INTEGER NOT NULL,
    file_name   TEXT    NOT NULL,
    -- Where it was last taken from, relative to the watched folder ('/' between the parts).
    path        TEXT    NOT NULL,
    -- Of the file's bytes as last taken (the Office file, not the PDF made of it).
    sha256      TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    -- The document first made from this name; later files of the name are its revisions.
    document_id INTEGER NOT NULL,
    revision    INTEGER NOT NULL CHECK (revision >= 1),
    taken_at    INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, item_id, file_name),
    FOREIGN KEY (meeting_id, item_id) REFERENCES agenda_items(meeting_id, id),
    FOREIGN KEY (meeting_id, document_id) REFERENCES documents(meeting_id, id)
);

-- Agenda items the hot folder created from a folder whose name has no item id, by that name,
-- so the folder's files keep going to the same item.
CREATE TABLE hot_folder_items (
    meeting_id  INTEGER NOT NULL,
    folder_name TEXT    NOT NULL,
    item_id     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, folder_name),
    FOREIGN KEY (meeting_id, item_id) REFERENCES agenda_items(meeting_id, id)
);
