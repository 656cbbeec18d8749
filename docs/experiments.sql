-- Experiments and the holdout, per variation: exposed visitors, converted visitors, conversion
-- rate, orders and revenue after exposure, and a sample-ratio check. For the collector's SQLite
-- file (collector/src/store.rs); see docs/experiments.md for what each number means.
--
--   sqlite3 -header -column target/collector/events.sqlite < docs/experiments.sql
--
-- The unit is the visitor (anonymousId). A visitor counts from their FIRST exposure to an
-- experiment ("Experiment Viewed"), in the variation they saw; a conversion is an
-- "Order Completed" of the same visitor at or after that moment. Visitors seen in more than one
-- variation of an experiment are left out of it (column `excluded`).
--
-- The sample-ratio check compares exposures per variation with the planned split: a chi-square
-- test whose statistic is flagged 'SRM' above its critical value at p = 0.001. When it is
-- flagged, do not read the conversion rates: find why the split is off first.
WITH
-- The planned split of every experiment whose variations are NOT equally weighted: one row per
-- variation, with the share of the experiment's visitors it is meant to get (the variations'
-- weights in the config; for the holdout: its share, and 1 - share for "personalized").
-- Variations of experiments not listed are expected to share their experiment equally.
-- planned:begin
planned(experiment_id, variation_id, share) AS (
  VALUES ('holdout', 'holdout', 0.05),
         ('holdout', 'personalized', 0.95)
),
-- planned:end
-- Each visitor's first exposure to each variation they saw.
seen AS (
  SELECT json_extract(properties, '$.experiment_id') AS experiment_id,
         json_extract(properties, '$.variation_id') AS variation_id,
         anonymous_id,
         MIN(julianday(timestamp)) AS first_at
  FROM events
  WHERE type = 'track' AND event = 'Experiment Viewed' AND anonymous_id IS NOT NULL
  GROUP BY 1, 2, 3
),
-- One row per visitor and experiment; `variations` > 1 means seen in several.
units AS (
  SELECT experiment_id, anonymous_id, MIN(variation_id) AS variation_id,
         MIN(first_at) AS first_at, COUNT(*) AS variations
  FROM seen
  GROUP BY 1, 2
),
-- Orders, once each (a re-sent "Order Completed" has another messageId but the same order_id).
orders AS (
  SELECT anonymous_id,
         COALESCE(json_extract(properties, '$.order_id'), message_id) AS order_id,
         MIN(julianday(timestamp)) AS at,
         MAX(COALESCE(json_extract(properties, '$.revenue'), json_extract(properties, '$.total'), 0)) AS revenue
  FROM events
  WHERE type = 'track' AND event = 'Order Completed' AND anonymous_id IS NOT NULL
  GROUP BY 1, 2
),
-- Each included visitor's orders after their first exposure.
outcomes AS (
  SELECT u.experiment_id, u.variation_id, u.anonymous_id,
         COUNT(o.order_id) AS orders, COALESCE(SUM(o.revenue), 0) AS revenue
  FROM units u
  LEFT JOIN orders o ON o.anonymous_id = u.anonymous_id AND o.at >= u.first_at
  WHERE u.variations = 1
  GROUP BY 1, 2, 3
),
per_variation AS (
  SELECT experiment_id, variation_id, COUNT(*) AS exposed, SUM(orders > 0) AS converted,
         SUM(orders) AS orders, SUM(revenue) AS revenue
  FROM outcomes
  GROUP BY 1, 2
),
-- Every variation seen or planned (a planned variation nobody saw is the worst sample ratio).
arms AS (
  SELECT experiment_id, variation_id FROM per_variation
  UNION
  SELECT experiment_id, variation_id FROM planned
  WHERE experiment_id IN (SELECT experiment_id FROM units)
),
excluded AS (
  SELECT experiment_id, SUM(variations > 1) AS excluded FROM units GROUP BY 1
),
expected AS (
  SELECT a.experiment_id, a.variation_id,
         COALESCE(p.exposed, 0) AS exposed, COALESCE(p.converted, 0) AS converted,
         COALESCE(p.orders, 0) AS orders, COALESCE(p.revenue, 0) AS revenue,
         COALESCE(pl.share, 1.0 / COUNT(*) OVER (PARTITION BY a.experiment_id)) AS planned_share,
         SUM(COALESCE(p.exposed, 0)) OVER (PARTITION BY a.experiment_id) AS total,
         COUNT(*) OVER (PARTITION BY a.experiment_id) AS arm_count
  FROM arms a
  LEFT JOIN per_variation p USING (experiment_id, variation_id)
  LEFT JOIN planned pl USING (experiment_id, variation_id)
),
chi AS (
  SELECT experiment_id,
         SUM((exposed - total * planned_share) * (exposed - total * planned_share)
             / (total * planned_share)) AS chi2,
         MAX(arm_count) - 1 AS df
  FROM expected
  WHERE planned_share > 0
  GROUP BY 1
),
-- Chi-square critical values at p = 0.001 (GrowthBook's SRM threshold), by degrees of freedom.
critical(df, value) AS (
  VALUES (1, 10.828), (2, 13.816), (3, 16.266), (4, 18.467), (5, 20.515), (6, 22.458),
         (7, 24.322), (8, 26.124), (9, 27.877), (10, 29.588), (11, 31.264), (12, 32.909),
         (13, 34.528), (14, 36.123), (15, 37.697), (16, 39.252), (17, 40.790), (18, 42.312),
         (19, 43.820)
)
SELECT e.experiment_id,
       e.variation_id,
       e.exposed,
       e.converted,
       ROUND(CASE WHEN e.exposed > 0 THEN 1.0 * e.converted / e.exposed END, 4) AS conversion_rate,
       e.orders,
       e.revenue,
       ROUND(e.planned_share, 4) AS planned_share,
       ROUND(e.total * e.planned_share, 2) AS expected_exposed,
       ROUND(c.chi2, 2) AS srm_chi2,
       CASE WHEN c.chi2 > k.value THEN 'SRM' ELSE 'ok' END AS srm,
       x.excluded
FROM expected e
JOIN chi c USING (experiment_id)
LEFT JOIN critical k ON k.df = c.df
LEFT JOIN excluded x USING (experiment_id)
ORDER BY e.experiment_id, e.variation_id;
