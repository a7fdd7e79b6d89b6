-- The office edits the texts of SMS to citizens on the same template pages
-- as its notifications (issue 14): an SMS has a body and no title, so an
-- edited SMS kind's row has an empty title.
ALTER TABLE notification_templates DROP CONSTRAINT notification_templates_title_check,
    ADD CONSTRAINT notification_templates_title_check CHECK (char_length(title) <= 100);
