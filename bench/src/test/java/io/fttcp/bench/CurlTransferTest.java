package io.fttcp.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CurlTransferTest {
    private static final String SHA = "ab".repeat(32);

    @Test
    void aDownloadIsItsBytesOverCurlsTime() {
        CurlTransfer.Transfer t = CurlTransfer.parseDownload("\nCURLSTATS 200 268435456 0 0.400000\n", 268435456);
        assertEquals(268435456, t.bytes());
        assertEquals(268435456 / 0.4 / 1e6, t.megabytesPerSecond(), 1e-6);
    }

    @Test
    void aShortOrFailedDownloadIsAFailure() {
        assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseDownload("\nCURLSTATS 200 1000 0 0.1\n", 1001));
        assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseDownload("curl: (22) The requested URL returned error: 404\n\nCURLSTATS 404 0 0 0.1\n", 10));
        assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseDownload("curl: (7) Failed to connect\n", 10));
        assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseDownload("\nCURLSTATS 200 10 0 0.000000\n", 10));
        assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseDownload("\nCURLSTATS 200 10 0\n", 10));
    }

    @Test
    void anUploadChecksTheServersHashAndCount() {
        String ok = "sha256=" + SHA + " bytes=1000\n\nCURLSTATS 200 45 1000 0.5\n";
        CurlTransfer.Transfer t = CurlTransfer.parseUpload(ok, 1000, SHA);
        assertEquals(1000, t.bytes());
        assertEquals(0.002, t.megabytesPerSecond(), 1e-12);
        CurlTransfer.TransferFailedException mismatch = assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseUpload(ok, 1000, "cd".repeat(32)));
        assertTrue(mismatch.getMessage().contains("sha256 mismatch"), mismatch.getMessage());
        assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseUpload("sha256=" + SHA + " bytes=999\n\nCURLSTATS 200 45 1000 0.5\n", 1000, SHA));
        assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseUpload("\nCURLSTATS 200 0 1000 0.5\n", 1000, SHA));
        assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseUpload("sha256=" + SHA + " bytes=1000\n\nCURLSTATS 200 45 999 0.5\n", 1000, SHA));
        assertThrows(CurlTransfer.TransferFailedException.class,
                () -> CurlTransfer.parseUpload("sha256=" + SHA + " bytes\n\nCURLSTATS 200 45 1000 0.5\n", 1000, SHA));
    }

    @Test
    void theCommandsAskForTheStatisticsLine() {
        assertTrue(CurlTransfer.downloadCommand("198.18.0.1", 8080, 5).contains("http://198.18.0.1:8080/gen/5"));
        assertTrue(String.join(" ", CurlTransfer.uploadCommand("198.18.0.100", 8080, "/f")).contains("-T /f"));
        assertTrue(String.join(" ", CurlTransfer.uploadCommand("198.18.0.100", 8080, "/f")).contains(CurlTransfer.STATS_MARKER));
    }
}
