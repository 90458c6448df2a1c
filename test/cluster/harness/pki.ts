/**
 * A throw-away certificate authority for one test cluster, made with the openssl command line (Debian's openssl;
 * node:crypto makes keys but not X.509 certificates). Every key and certificate stays in the cluster's temp dir.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertFiles {
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export class Pki {
  readonly ca: CertFiles;
  private serial = 1;

  private constructor(readonly dir: string) {
    this.ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  }

  /** Creates a CA (EC P-256, one day) in `dir`. */
  static create(dir: string, name = 'istio-upgrade-test-ca'): Pki {
    const p = new Pki(dir);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', p.ca.key], dir);
    openssl(['req', '-x509', '-new', '-key', p.ca.key, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', '-out', p.ca.cert], dir);
    return p;
  }

  caPem(): string {
    return readFileSync(this.ca.cert, 'utf8');
  }

  /** A leaf certificate signed by the CA: `dns`/`ips` become subjectAltNames; `client` adds clientAuth. */
  issue(name: string, o: { cn: string; org?: string; dns?: string[]; ips?: string[]; client?: boolean }): CertFiles {
    const f = { cert: join(this.dir, `${name}.crt`), key: join(this.dir, `${name}.key`) };
    const csr = join(this.dir, `${name}.csr`);
    const ext = join(this.dir, `${name}.ext`);
    const san = [...(o.dns ?? []).map((d) => `DNS:${d}`), ...(o.ips ?? []).map((i) => `IP:${i}`)];
    writeFileSync(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        `extendedKeyUsage=${o.client ? 'clientAuth' : 'serverAuth,clientAuth'}`,
        ...(san.length ? [`subjectAltName=${san.join(',')}`] : []),
      ].join('\n') + '\n',
    );
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f.key], this.dir);
    openssl(['req', '-new', '-key', f.key, '-subj', `/CN=${o.cn}${o.org ? `/O=${o.org}` : ''}`, '-out', csr], this.dir);
    openssl(['x509', '-req', '-in', csr, '-CA', this.ca.cert, '-CAkey', this.ca.key, '-set_serial', String(++this.serial), '-days', '1', '-extfile', ext, '-out', f.cert], this.dir);
    return f;
  }

  /** An RSA key pair for service-account token signing (PKCS#8 private, SPKI public). */
  serviceAccountKeys(): { privateKey: string; publicKey: string } {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const f = { privateKey: join(this.dir, 'sa.key'), publicKey: join(this.dir, 'sa.pub') };
    writeFileSync(f.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(f.publicKey, publicKey.export({ type: 'spki', format: 'pem' }));
    return f;
  }
}
