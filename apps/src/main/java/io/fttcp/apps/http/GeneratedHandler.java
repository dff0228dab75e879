package io.fttcp.apps.http;

/**
 * {@code GET|HEAD /gen/<size>?seed=<n>}: {@code size} bytes of the {@link Generator} stream.
 * Size is decimal with an optional binary suffix K, M, G or T (so {@code /gen/1G} is 2^30 bytes).
 */
final class GeneratedHandler implements Handler {

    static final String PREFIX = "/gen/";

    @Override
    public void handle(Exchange exchange) throws java.io.IOException, HttpException {
        long size = parseSize(exchange.target().path().substring(PREFIX.length()));
        Generator generator = new Generator(parseSeed(exchange.target().queryParameter("seed")));
        String etag = "\"gen-" + size + "-" + generator.seed() + "\"";
        RangedResponses.send(exchange, size, ContentTypes.OCTET_STREAM, RangedResponses.Validator.entityTag(etag),
                (offset, dst, length) -> generator.fill(offset, dst, length));
    }

    static long parseSize(String text) throws HttpException {
        if (text.isEmpty() || text.length() > 20) {
            throw new HttpException(404, "expected /gen/<bytes>, for example /gen/1048576 or /gen/1G", false);
        }
        long unit = switch (Character.toUpperCase(text.charAt(text.length() - 1))) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            default -> 1;
        };
        String digits = unit == 1 ? text : text.substring(0, text.length() - 1);
        if (digits.isEmpty() || digits.length() > 15 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new HttpException(404, "expected /gen/<bytes>, for example /gen/1048576 or /gen/1G", false);
        }
        long count = Long.parseLong(digits);
        if (count > Long.MAX_VALUE / unit) {
            throw new HttpException(400, "generated size too large: " + text, false);
        }
        return count * unit;
    }

    private static long parseSeed(String text) throws HttpException {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new HttpException(400, "seed must be a decimal long: " + text, false);
        }
    }
}
