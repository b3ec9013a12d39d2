package ssecluster.testsupport;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TLS for a JDK HTTP client in tests: trusts the node's self-signed certificate (any certificate, with
 * no host name check: Netty's insecure trust manager), and counts the TLS engines it creates, one per
 * connection, so a test can tell whether two requests shared a connection.
 */
public final class CountingTls {

  private final AtomicInteger engines = new AtomicInteger();
  private final SSLContext context;

  public CountingTls() {
    try {
      SSLContext delegate = SSLContext.getInstance("TLS");
      delegate.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
      context = new SSLContext(new CountingSpi(delegate), delegate.getProvider(), delegate.getProtocol()) {
      };
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public SSLContext context() {
    return context;
  }

  /** TLS connections opened so far. */
  public int connections() {
    return engines.get();
  }

  private final class CountingSpi extends SSLContextSpi {
    private final SSLContext delegate;

    CountingSpi(SSLContext delegate) {
      this.delegate = delegate;
    }

    @Override
    protected void engineInit(javax.net.ssl.KeyManager[] km, TrustManager[] tm, SecureRandom random)
        throws KeyManagementException {
      throw new KeyManagementException("already initialised");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return delegate.getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return delegate.getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      engines.incrementAndGet();
      return delegate.createSSLEngine();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      engines.incrementAndGet();
      return delegate.createSSLEngine(host, port);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return delegate.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return delegate.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return delegate.getDefaultSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return delegate.getSupportedSSLParameters();
    }
  }
}
