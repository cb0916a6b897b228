/**
 * Procedures inside workerd: the bundled catalogue loads and answers, and the dossier lookup
 * reaches the loopback fake the global setup started (env.FAKE_DOSSIER_URL), driven through
 * its HTTP control API.
 */
import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { createProcedureService } from '../../src/procedures/service';
import { readIntent } from '../../src/procedures/intent';

const FAKE = (env as unknown as Record<string, string>).FAKE_DOSSIER_URL!;
const CODE = '000.00.12.H42-250701-0001';

async function control(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${FAKE}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return res.json();
}

describe('procedures in workerd', () => {
  beforeEach(async () => {
    await control('/__reset', {});
  });

  it('loads the bundled catalogue and finds a procedure typed without marks', () => {
    const service = createProcedureService();
    expect(service.procedures.length).toBeGreaterThanOrEqual(25);
    const matches = service.shortlist(readIntent('lam can cuoc mat bao lau').subject);
    expect(matches.map((m) => m.procedure.id)).toEqual(['cap-the-can-cuoc']);
  });

  it('looks a dossier up in the fake service', async () => {
    await control('/__records', { [CODE]: { status: 'Đang giải quyết' } });
    const service = createProcedureService({ dossierLookupUrl: `${FAKE}/lookup` });
    expect(await service.lookupDossier(CODE)).toEqual({ kind: 'found', record: { found: true, code: CODE, status: 'Đang giải quyết' } });
    expect(await control('/__calls')).toEqual([{ path: '/lookup', code: CODE, accept: 'application/json', status: 200 }]);
  });

  it('reports an upstream failure as an error the handler can explain', async () => {
    await control('/__script', { status: 502 });
    const service = createProcedureService({ dossierLookupUrl: `${FAKE}/lookup` });
    expect(await service.lookupDossier(CODE)).toEqual({ kind: 'error', reason: 'upstream status 502' });
  });
});
