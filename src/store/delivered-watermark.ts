/**
 * The delivered watermark per priority (schema v4, from the drain benchmark). Recording a PUBACK as
 * `UPDATE events SET delivered_at` costs ~3.8 µs a row: the row grows and leaves one partial
 * index for another. But on one connection PUBACKs come in publish order ([MQTT-4.6.0-2]) and
 * the dispatcher sends each priority in seq order, so a batch of PUBACKs is usually exactly the
 * next pending rows of its priority: then one row, `delivered_upto(priority) = highest seq`,
 * records the whole batch (~0.3 µs a row).
 *
 * The rule that keeps this from ever losing an event: the watermark of priority p moves to the
 * batch's highest seq `hi` only when the pending rows of p in (watermark, hi] are EXACTLY the
 * batch's seqs above the watermark (compared seq by seq, an index-only read of events_pending).
 * Anything else (a row in between still in flight or never sent, a batch row evicted or already
 * marked, a live row acknowledged ahead of the backlog) falls back to a mark per row.
 *
 * `settle` copies the watermarks into delivered_at with one range UPDATE per priority (~2.3 µs a
 * row in the drain benchmark, 231 ms for 100k, off the delivery path), so retention, which reads delivered_at only, sees them. A
 * settled row's delivered_at is then the time of the last batch that moved its watermark: at or
 * after its own PUBACK, never before. Nothing reads that time today: retention prunes delivered
 * rows by created_at, and the CLI's history shows only whether a row was delivered.
 */
import type Database from 'better-sqlite3';

export class DeliveredWatermarks {
  private readonly upto = new Map<number, number>();
  /** Wall ms of the PUBACKs that last moved each watermark (delivered_at when settled). */
  private readonly at = new Map<number, number>();
  /** Some row at or below a watermark may still have delivered_at NULL. */
  private unsettled: boolean;
  private readonly sql;

  constructor(db: Database.Database) {
    this.sql = {
      all: db.prepare('SELECT priority, seq, at FROM delivered_upto'),
      set: db.prepare(
        `INSERT INTO delivered_upto (priority, seq, at) VALUES (?, ?, ?)
         ON CONFLICT (priority) DO UPDATE SET seq = excluded.seq, at = excluded.at`,
      ),
      // Index-only (events_pending is (priority, seq), seq being the rowid).
      pendingIn: db.prepare('SELECT seq FROM events WHERE delivered_at IS NULL AND priority = ? AND seq > ? AND seq <= ? ORDER BY seq').pluck(),
      settle: db.prepare('UPDATE events SET delivered_at = ? WHERE delivered_at IS NULL AND priority = ? AND seq <= ?'),
    };
    for (const r of this.sql.all.all() as Array<{ priority: number; seq: number; at: number }>) {
      this.upto.set(r.priority, r.seq);
      this.at.set(r.priority, r.at);
    }
    this.unsettled = this.upto.size > 0; // unknown after a restart: settle once to be sure
  }

  /** Rows of `priority` with seq at or below this are delivered. */
  of(priority: number): number {
    return this.upto.get(priority) ?? 0;
  }

  /**
   * Records `seqs` as delivered, inside the caller's transaction: by watermark where the rule in
   * the header allows, else by `markRow` per seq. Returns the watermarks to adopt once the
   * transaction has committed (`adopt`), so a rolled-back batch never moves them in memory.
   */
  record(
    seqs: number[],
    at: number,
    priorityOf: (seq: number) => number | undefined,
    markRow: (seq: number) => void,
  ): Map<number, { seq: number; at: number }> {
    const byPriority = new Map<number, number[]>();
    for (const seq of seqs) {
      const p = priorityOf(seq);
      if (p === undefined) {
        markRow(seq);
        continue;
      }
      let list = byPriority.get(p);
      if (!list) byPriority.set(p, (list = []));
      list.push(seq);
    }
    const moved = new Map<number, { seq: number; at: number }>();
    for (const [p, list] of byPriority) {
      const w = this.of(p);
      const above = list.filter((s) => s > w).sort((a, b) => a - b);
      if (above.length === 0) continue; // already covered
      const hi = above[above.length - 1] as number;
      const pending = this.sql.pendingIn.all(p, w, hi) as number[];
      if (sameSeqs(pending, above)) {
        this.sql.set.run(p, hi, at);
        moved.set(p, { seq: hi, at });
      } else {
        for (const s of above) markRow(s);
      }
    }
    return moved;
  }

  /** After the transaction of `record` committed. */
  adopt(moved: Map<number, { seq: number; at: number }>): void {
    for (const [p, m] of moved) {
      this.upto.set(p, m.seq);
      this.at.set(p, m.at);
    }
    if (moved.size > 0) this.unsettled = true;
  }

  /** Copies every watermark into delivered_at (one range UPDATE per priority); returns the rows. */
  settle(): number {
    if (!this.unsettled) return 0;
    let n = 0;
    for (const [p, seq] of this.upto) n += this.sql.settle.run(this.at.get(p) ?? 0, p, seq).changes;
    this.unsettled = false;
    return n;
  }
}

function sameSeqs(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
