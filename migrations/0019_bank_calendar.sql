-- Days an operator closes or opens in a country's banking calendar, on top of the holidays
-- built into the portal (domain::calendar): a holiday moved by decree, a day the provider's
-- bank does not work. `open` = 1: a working day after all (never a weekend or a TARGET2
-- closing day); 0: closed. `day` is YYYY-MM-DD.
CREATE TABLE bank_calendar_days (
    country TEXT NOT NULL,
    day TEXT NOT NULL,
    open BIGINT NOT NULL CHECK (open IN (0, 1)),
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (country, day)
);
