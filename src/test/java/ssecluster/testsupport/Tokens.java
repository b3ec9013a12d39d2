package ssecluster.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** JWTs for the tests, signed with HS256 and a secret as a deployment's backend would sign them. */
public final class Tokens {

  private final JWTAuth jwt;

  public Tokens(Vertx vertx, String secret) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  public String sign(JsonObject claims) {
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256"));
  }

  /** A refusal as the node sends it: the status, in the JSON error too, and a bearer challenge on 401 only. */
  public static void assertRefused(int status, HttpResponse<String> response, boolean challenge) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(status, new JsonObject(response.body()).getInteger("status"));
    assertEquals(challenge, response.headers().firstValue("WWW-Authenticate").isPresent(), response.headers().toString());
  }
}
