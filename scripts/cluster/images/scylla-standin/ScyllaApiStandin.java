// agentstore sandbox: part of the STAND-IN for ScyllaDB (Apache Cassandra 5). Serves the two ScyllaDB REST
// endpoints the chart's probes call, answered from Cassandra's own StorageService MBean, then runs Cassandra
// in the same JVM. Endpoints as in ScyllaDB's api-doc (storage_service.json, system.json):
//   GET /storage_service/native_transport -> true | false   (is the CQL server running)
//   GET /system/uptime_ms                 -> milliseconds since start
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import javax.management.ObjectName;

public final class ScyllaApiStandin {
  private ScyllaApiStandin() {}

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  /** False until Cassandra has registered its StorageService MBean and started the native transport. */
  private static boolean nativeTransportRunning() {
    try {
      ObjectName name = new ObjectName("org.apache.cassandra.db:type=StorageService");
      return Boolean.TRUE.equals(ManagementFactory.getPlatformMBeanServer().getAttribute(name, "NativeTransportRunning"));
    } catch (Exception notYet) {
      return false;
    }
  }

  public static void main(String[] args) throws Exception {
    String address = System.getProperty("standin.api.address", "127.0.0.1");
    int port = Integer.getInteger("standin.api.port", 10000);
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
    server.createContext("/storage_service/native_transport", ex -> reply(ex, 200, String.valueOf(nativeTransportRunning())));
    server.createContext("/system/uptime_ms", ex -> reply(ex, 200, String.valueOf(ManagementFactory.getRuntimeMXBean().getUptime())));
    server.createContext("/", ex -> reply(ex, 404, "{\"message\":\"not served by the agentstore ScyllaDB stand-in\",\"code\":404}"));
    server.setExecutor(Executors.newSingleThreadExecutor());
    server.start();
    Class.forName("org.apache.cassandra.service.CassandraDaemon").getMethod("main", String[].class).invoke(null, (Object) args);
  }
}
