package ssecluster.wire;

import java.util.List;

/** What /admin/status.json shows of one open stream. */
public record StreamStatus(String path, List<String> namespaces, String clientAddress, String userAgent, String protocol,
                           long connectedAtMillis, long messagesSent) {
}
