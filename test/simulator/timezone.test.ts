import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.js';
import { addDays } from '../../src/dates.js';
import { simulatedDay, simulatedHours } from '../../src/simulator/index.js';
import { classicToken, fetchData, startSimulator } from './helpers.js';

const APPID = 'wx0123456789abcdef';
const SECRET = 'secret-main';

/** Everything date-dependent the simulator computes, with the random request ids left out. */
async function snapshot(): Promise<unknown> {
  // 60 days across the US daylight-saving change of 2026-03-08.
  const data = Array.from({ length: 60 }, (_, i) => addDays('2026-01-20', i)).map((d) => [
    simulatedHours(APPID, d),
    simulatedDay(APPID, d, { dailyCallbacks: 300 }),
  ]);

  const clock = new ManualClock('2026-03-10T07:59:00+08:00');
  const sim = await startSimulator({ accounts: [{ appid: APPID, secret: SECRET }], clock });
  try {
    sim.configure(APPID, { dailyQuota: 3 }); // per API: the 4th getinterfacesummary call is refused
    const token = await classicToken(sim, APPID, SECRET);
    const answers: unknown[] = [];
    const ask = async (api: 'getinterfacesummary' | 'getinterfacesummaryhour', begin: string, end: string) => {
      const res = await fetchData(sim, api, token, begin, end);
      answers.push(res.json.list ?? res.json.errcode);
    };
    await ask('getinterfacesummaryhour', '2026-03-09', '2026-03-09'); // not ready before 08:00
    clock.set('2026-03-10T08:01:00+08:00');
    await ask('getinterfacesummaryhour', '2026-03-09', '2026-03-09');
    await ask('getinterfacesummary', '2026-02-08', '2026-03-09');
    await ask('getinterfacesummary', '2026-03-10', '2026-03-10'); // today: 61501
    await ask('getinterfacesummary', '2026-03-09', '2026-03-09');
    await ask('getinterfacesummary', '2026-03-09', '2026-03-09'); // the 4th daily call: 45009
    clock.set('2026-03-10T16:00:00Z'); // 00:00 Beijing on 03-11
    answers.push(await classicToken(sim, APPID, SECRET).then(() => 'new quota day'));
    return { data, answers, at: sim.calls.map((c) => [c.api, c.status, c.errcode]) };
  } finally {
    await sim.close();
  }
}

describe('simulator and the host time zone', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  it('gives the same data and answers with TZ=America/Los_Angeles and TZ=Asia/Shanghai', async () => {
    const probe = new Date('2026-03-10T12:00:00Z');
    process.env.TZ = 'America/Los_Angeles';
    assert.equal(probe.getTimezoneOffset(), 420, 'the TZ change took effect (PDT)');
    const losAngeles = await snapshot();
    process.env.TZ = 'Asia/Shanghai';
    assert.equal(probe.getTimezoneOffset(), -480, 'the TZ change took effect (CST)');
    const shanghai = await snapshot();
    assert.deepEqual(losAngeles, shanghai);

    const { answers } = shanghai as { answers: unknown[] };
    assert.deepEqual(answers[0], [], 'yesterday not ready at 07:59 Beijing');
    assert.ok(Array.isArray(answers[1]) && answers[1].length > 0, 'ready at 08:01 Beijing');
    assert.deepEqual(answers.slice(3), [61501, [simulatedDay(APPID, '2026-03-09')], 45009, 'new quota day']);
  });
});
