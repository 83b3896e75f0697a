-- Documents have revisions. `documents` keeps the current revision's columns (a projection);
-- every revision, the current one too, is a row here with the whole revision as the wire shows
-- it (`revision_json`), and the blobs it names for download checks.
CREATE TABLE document_revisions (
    meeting_id      INTEGER NOT NULL,
    document_id     INTEGER NOT NULL,
    revision        INTEGER NOT NULL CHECK (revision >= 1),
    sha256          TEXT    NOT NULL REFERENCES blobs(sha256),
    -- The Office file the PDF was converted from, when it was.
    original_sha256 TEXT    REFERENCES blobs(sha256),
    revision_json   TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, document_id, revision),
    FOREIGN KEY (meeting_id, document_id) REFERENCES documents(meeting_id, id)
);
CREATE INDEX document_revisions_by_blob ON document_revisions(sha256);
CREATE INDEX document_revisions_by_original ON document_revisions(original_sha256);

-- Revisions are numbered 1, 2, 3… per document, with no gap, whoever writes.
CREATE TRIGGER document_revisions_in_order BEFORE INSERT ON document_revisions
WHEN NEW.revision <> 1 + COALESCE(
    (SELECT MAX(revision) FROM document_revisions
     WHERE meeting_id = NEW.meeting_id AND document_id = NEW.document_id), 0)
BEGIN
    SELECT RAISE(ABORT, 'document revisions are numbered in order');
END;

INSERT INTO document_revisions (meeting_id, document_id, revision, sha256, original_sha256, revision_json, created_at)
SELECT meeting_id, id, 1, sha256, NULL,
       json_object('revision', 1, 'file_name', file_name, 'sha256', sha256, 'size', size,
                   'page_count', page_count, 'original', NULL, 'unrenderable_pages', json('[]'),
                   'changes', NULL),
       created_at
FROM documents;

-- Text per page of each revision, for search and for comparing revisions; sizes in PDF points.
CREATE TABLE revision_pages (
    meeting_id  INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    page_index  INTEGER NOT NULL,
    width_pt    REAL    NOT NULL,
    height_pt   REAL    NOT NULL,
    text        TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, document_id, revision, page_index),
    FOREIGN KEY (meeting_id, document_id, revision)
        REFERENCES document_revisions(meeting_id, document_id, revision)
);
INSERT INTO revision_pages (meeting_id, document_id, revision, page_index, width_pt, height_pt, text)
SELECT meeting_id, document_id, 1, page_index, width_pt, height_pt, text FROM document_pages;
DROP TABLE document_pages;
