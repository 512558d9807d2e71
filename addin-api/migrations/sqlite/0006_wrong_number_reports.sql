-- When a recipient reported "this is not my number" on the code page: the sender is told once
-- per link, however often the button is pressed (anyone holding the link can press it).
ALTER TABLE viewer_recipients ADD COLUMN wrong_number_reported_at INTEGER;
