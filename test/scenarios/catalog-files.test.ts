import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../models/errors.ts';
import { resolveCatalog, validateCatalog } from '../../scenarios/catalog.ts';

describe('catalog flows that send files', () => {
  it('are refused before a campaign runs, naming the service and the step (campaigns read no files yet)', () => {
    const value = {
      schema: 'caplab.catalog/v1',
      services: [
        { name: 'backup', flow: { steps: [{ name: 'login', path: '/login' }, { name: 'upload', method: 'POST', path: '/up', multipart: { p: { file: 'a.jpg' } } }] }, demand: { perDevicePerDay: 1 } },
        { name: 'fw', flow: { steps: [{ method: 'PUT', path: '/fw', body: { file: 'fw.bin' }, cookies: { a: 'b' } }] }, demand: { perDevicePerDay: 1 } },
        { name: 'ok', flow: { steps: [{ path: '/x', body: 'text', cookies: { a: 'b' } }] }, demand: { perDevicePerDay: 1 } },
      ],
    };
    const { doc, raw, problems } = validateCatalog(value, 'c.yaml', 'engine');
    expect(problems).toEqual([]);
    let err: unknown;
    try {
      resolveCatalog(doc!, raw!, 'c.yaml', { resolve: (p) => p, flows: new Map() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems).toEqual([
      { where: 'c.yaml: services[0]', message: 'step 2 (upload) sends a file (body.file or multipart), which campaign runs do not read yet: run this flow as a spec with `caplab run`' },
      { where: 'c.yaml: services[1]', message: 'step 1 sends a file (body.file or multipart), which campaign runs do not read yet: run this flow as a spec with `caplab run`' },
    ]);
  });
});
