package io.fttcp.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SteadyWarmUpTest {

    /** Feeds pairs of speeds until the rule stops; how many it took. */
    private static int pairsTaken(SteadyWarmUp rule, double[][] speeds) {
        SteadyWarmUp.Run run = rule.start();
        int i = 0;
        while (run.another(speeds[i][0], speeds[i][1])) {
            i++;
        }
        return run.pairs();
    }

    @Test
    void aSettledServerStopsAtTheMinimum() {
        double[][] flat = {{900, 500}, {920, 520}, {940, 510}, {930, 515}, {2000, 2000}};
        assertEquals(3, pairsTaken(new SteadyWarmUp(3, 10), flat), "pairs 2 and 3 set no record");
    }

    @Test
    void aServerStillSettingRecordsGoesOnUntilItStops() {
        double[][] rising = {{400, 220}, {500, 290}, {600, 343}, {700, 406}, {710, 403}, {690, 433}, {705, 412}, {700, 370}, {2000, 2000}};
        assertEquals(8, pairsTaken(new SteadyWarmUp(3, 10), rising), "a record at the sixth pair (433 is 6.7 % over 406), none at the seventh and eighth");
        double[][] uploadOnly = {{900, 220}, {900, 290}, {900, 343}, {900, 406}, {900, 420}, {900, 421}, {900, 2000}};
        assertEquals(6, pairsTaken(new SteadyWarmUp(3, 10), uploadOnly), "a record in one direction is enough; 420 is 3.4 % over 406");
    }

    @Test
    void neverMoreThanTheMaximumNorOtherThanAFixedCount() {
        double[][] forever = new double[20][];
        for (int i = 0; i < forever.length; i++) {
            forever[i] = new double[]{100 * Math.pow(1.1, i), 100 * Math.pow(1.1, i)};
        }
        assertEquals(10, pairsTaken(new SteadyWarmUp(3, 10), forever));
        assertEquals(2, pairsTaken(SteadyWarmUp.fixed(2), forever));
        assertThrows(IllegalArgumentException.class, () -> new SteadyWarmUp(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new SteadyWarmUp(4, 3));
    }
}
