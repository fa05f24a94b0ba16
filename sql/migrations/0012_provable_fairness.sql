-- Provable fairness (SPEC.md, algorithm liveloot/v1): raffles get random public ids and optional
-- rules text; a draw records the public proof that anyone can recompute (the entrants and items
-- the pick ran over, their hashes, the drand round, its signature and the randomness).

-- make_raffle no longer takes random words: the Worker reads the entrants (read_draw_entrants),
-- waits for the beacon round, decides with liveloot/v1 and make_raffle records that decision.
drop function if exists make_raffle(bigint, timestamptz, text, jsonb, bigint[]);

-- 22 URL-safe characters from a version-4 UUID: 122 random bits from the server's strong random
-- source (gen_random_uuid is built in since Postgres 13, no extension needed).
create function new_public_id() returns text
language sql
volatile
as $$ select translate(rtrim(encode(uuid_send(gen_random_uuid()), 'base64'), '='), '+/', '-_') $$;

alter table raffles
  add column public_id text,
  add column rules text check (char_length(rules) between 1 and 1000);
update raffles set public_id = new_public_id();
alter table raffles
  alter column public_id set not null,
  alter column public_id set default new_public_id(),
  add constraint raffles_public_id_format check (public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
  add constraint raffles_public_id_unique unique (public_id);

-- Draws before this migration keep their old record (random_words, item_roll, item_pool,
-- candidates) and have no algorithm: the public page lists them as made before verifiable draws.
-- Every draw from now on is `liveloot/v1` and has the whole proof.
alter table draws
  alter column random_words drop not null,
  alter column item_roll drop not null,
  alter column item_pool drop not null,
  alter column candidates drop not null,
  add column algorithm text check (algorithm = 'liveloot/v1'),
  -- The `{slot}` of the word messages: `YYYY-MM-DDTHH:MMZ`, or `manual-` + a random draw id.
  add column slot_label text check (slot_label ~ '^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z|manual-[A-Za-z0-9_-]{1,64})$'),
  -- Null round and signature: the beacon could not be reached; the randomness came from the Worker.
  add column beacon_round bigint check (beacon_round >= 1),
  add column beacon_signature text check (beacon_signature ~ '^[0-9a-f]+$'),
  add column randomness text check (randomness ~ '^[0-9a-f]{64}$'),
  add column entrants_read_at timestamptz,
  -- [[user_id, login, weight]] sorted by user id as integers: exactly the list the pick ran over.
  add column entrants jsonb check (jsonb_typeof(entrants) = 'array'),
  add column entrants_sha256 text check (entrants_sha256 ~ '^[0-9a-f]{64}$'),
  -- [[item_id, name, weight]] sorted by item id: the drawable items when the entrants were read.
  add column items jsonb check (jsonb_typeof(items) = 'array'),
  add column items_sha256 text check (items_sha256 ~ '^[0-9a-f]{64}$'),
  add constraint draws_proof_complete check (
    (algorithm is null) = (slot_label is null)
    and (algorithm is null) = (randomness is null)
    and (algorithm is null) = (entrants_read_at is null)
    and (algorithm is null) = (entrants is null)
    and (algorithm is null) = (entrants_sha256 is null)
    and (algorithm is null) = (items is null)
    and (algorithm is null) = (items_sha256 is null)
    and (algorithm is not null or (random_words is not null and item_roll is not null
                                   and item_pool is not null and candidates is not null))
  ),
  add constraint draws_round_has_signature check ((beacon_round is null) = (beacon_signature is null)),
  drop constraint draws_luck_has_winner_roll,
  add constraint draws_luck_has_winner_roll check (algorithm is not null or luck = (winner_roll is not null));
