-- Each draw keeps its number within its raffle ("Draw #12"), set by make_raffle under the raffle
-- lock, so an announcement retried later needs no count over the raffle's history.
alter table draws add column draw_number integer check (draw_number >= 1);

update draws d set draw_number = numbered.position
from (
  select id, row_number() over (partition by raffle_id order by id) as position from draws
) numbered
where d.id = numbered.id;
