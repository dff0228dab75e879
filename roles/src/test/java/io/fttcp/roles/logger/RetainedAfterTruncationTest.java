package io.fttcp.roles.logger;

import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the logger relies on when it drops old segments: the live records rebuilt at start from
 * what is left of the log (any suffix starting at or before the oldest live connection's CONNECT)
 * are exactly those it would have kept from the whole log, also when connections that began
 * before the cut ended after it, with READY and global records between.
 */
class RetainedAfterTruncationTest {

    /** Interleaved conversations, some finished, with global seeds and polls naming the listener and open connections. */
    private static List<Record> traffic(SplittableRandom random) {
        int count = 5 + random.nextInt(30);
        List<Traffic.Conversation> all = new ArrayList<>();
        List<List<Record>> scripts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Traffic.Conversation c = new Traffic.Conversation(Traffic.client(1 + random.nextInt(count + 5)), random); // tuples may be reused
            List<Record> script = new ArrayList<>(c.open());
            for (int e = random.nextInt(4); e > 0; e--) script.addAll(c.exchange(1 + random.nextInt(100), random.nextInt(100)));
            int end = random.nextInt(4);
            if (end < 2) script.addAll(c.finish());
            else if (end == 2) script.addAll(c.halfClose());
            all.add(c);
            scripts.add(script);
        }
        List<Record> out = new ArrayList<>();
        int[] next = new int[count];
        int started = 0;
        int left = scripts.stream().mapToInt(List::size).sum();
        while (left > 0) {
            // Conversations start in order (so that some begin after others end), and run interleaved.
            int i = random.nextInt(Math.min(count, started + 1));
            if (i == started) started++;
            if (next[i] == scripts.get(i).size()) continue;
            out.add(scripts.get(i).get(next[i]++));
            left--;
            switch (random.nextInt(12)) {
                case 0 -> out.add(new Seed(random.nextLong()));
                case 1 -> {
                    List<Ready.Entry> entries = new ArrayList<>();
                    if (random.nextBoolean()) entries.add(new Ready.Entry(Traffic.LISTENER, 16));
                    for (int k = 0; k < started; k++) {
                        if (next[k] > 0 && next[k] < scripts.get(k).size() && random.nextInt(3) == 0) entries.add(new Ready.Entry(all.get(k).tuple, 1));
                    }
                    out.add(new Ready(0, entries));
                }
                default -> {
                }
            }
        }
        return out;
    }

    private static LiveRecordSet fedFrom(List<Record> records, long fromLsn) {
        LiveRecordSet set = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        for (long lsn = fromLsn; lsn <= records.size(); lsn++) set.add(lsn, records.get((int) lsn - 1));
        return set;
    }

    @Test
    void theLiveRecordsRebuiltFromWhatIsLeftAreTheSame() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 300; trial++) {
            long trialSeed = random.nextLong();
            List<Record> records = traffic(new SplittableRandom(trialSeed));
            LiveRecordSet whole = fedFrom(records, 1);
            List<LoggedRecord> expected = whole.snapshot(records.size());
            long oldest = whole.oldestRetainedLsn();
            long latestCut = oldest == 0 ? records.size() + 1 : oldest;
            for (int k = 0; k < 5; k++) {
                long cut = 1 + random.nextLong(latestCut);
                assertEquals(expected, fedFrom(records, cut).snapshot(records.size()),
                        "seed " + seed + ", trial seed " + trialSeed + ": rebuilt from LSN " + cut + " (oldest live CONNECT " + oldest + ")");
            }
        }
    }
}
