import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { captureIo, tempDir } from '../testing/temp-files.ts';
import { FIT_USAGE } from './fit.ts';
import { REPORT_USAGE } from './report.ts';

const cdnow = join(import.meta.dirname, '../../../../../shared/data/cdnow');
const sample = join(cdnow, 'CDNOW_sample.txt');
const files = tempDir();
/** Latin letters of English words the translated output must not keep (option names and model names are allowed). */
const ENGLISH = /\b(fitted|customers?|calibration to|holdout to|could not|predicted|actual|mean absolute error|Usage|Options|Commands)\b/;

async function run(args: string[], env: Record<string, string> = {}) {
  const io = { ...captureIo(files.dir), env };
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('clvlens fit, predict and validate in Korean and Arabic (--lang)', () => {
  it('fit: the summary in Korean and Arabic, with plural rules and locale digits', async () => {
    const ko = await run(['fit', sample, '--calibration-end', '1997-09-30', '--lang', 'ko']);
    expect(ko.code).toBe(0);
    expect(ko.out).toContain('bgnbd 모델을 고객 2,357명에 적합 (cdnow-sample, 시간 단위 주, 보정 기간 끝 1997-09-30 UTC)');
    expect(ko.out).toContain('r = 0.2426  alpha = 4.4136  a = 0.7929  b = 2.4259');
    expect(ko.out).toContain('로그 우도 = ');
    expect(ko.out).toContain('재구매 고객 946명에 적합한 Gamma-Gamma');
    expect(ko.out).not.toMatch(ENGLISH);
    const ar = await run(['fit', sample, '--calibration-end', '1997-09-30', '--lang', 'ar']);
    expect(ar.code).toBe(0);
    // 2,357 ends in 57: Arabic's "many" form (عميلًا); 946 ends in 46: also "many" (عميلًا متكررًا).
    expect(ar.out).toContain('نموذج bgnbd مُلاءَم على 2,357 عميلًا (cdnow-sample، وحدة الزمن أسبوع، المعايرة حتى 1997-09-30 UTC)');
    expect(ar.out).toContain('Gamma-Gamma على 946 عميلًا متكررًا');
    expect(ar.out).not.toMatch(ENGLISH);
  });

  it('predict: what it tells on stderr, in Korean and Arabic; the CSV stays machine-readable', async () => {
    const ko = await run(['predict', sample, '--calibration-end', '1997-09-30', '--model', 'bgnbd', '--out', 'p-ko.csv', '--lang', 'ko']);
    expect(ko.code).toBe(0);
    expect(ko.err).toBe('clvlens: 고객 2,357명을 p-ko.csv에 썼습니다\n');
    const ar = await run(['predict', sample, '--calibration-end', '1997-09-30', '--model', 'bgnbd', '--out', 'p-ar.csv', '--lang', 'ar']);
    expect(ar.err).toBe('clvlens: كُتب 2,357 عميلًا في p-ar.csv\n');
    expect(readFileSync(join(files.dir, 'p-ar.csv'), 'utf8').split('\n')[0]).toBe(
      'customer_id,frequency,recency,T,p_alive,expected_purchases,expected_avg_value,clv,model,churn_probability,churn_tier,new_customer',
    );
    const once = files.write('once.csv', 'customer_id,date,amount\na,2024-01-01,10.00\nb,2024-01-05,12.00\n');
    const failed = await run(['predict', once, '--model', 'bgnbd', '--lang', 'ko']);
    expect(failed.code).toBe(3);
    expect(failed.err).toBe('clvlens: predict: 이 데이터에는 bgnbd 모델을 적합할 수 없습니다(두 번 이상 산 고객 없음).\n');
    const failedAr = await run(['fit', once, '--lang', 'ar']);
    expect(failedAr.err).toBe('clvlens: fit: تعذّرت ملاءمة نموذج bgnbd على هذه البيانات (لم يشترِ أحد مرتين).\n');
  });

  it('validate: the whole text report in Korean and in Arabic', async () => {
    const ko = await run(['validate', sample, '--calibration-end', '1997-09-30', '--lang', 'ko']);
    expect(ko.code).toBe(0);
    expect(ko.out).toContain('CDNOW_sample.txt(cdnow-sample)의 홀드아웃 검증: 고객 2,357명, 보정 기간 끝 1997-09-30, 홀드아웃 끝 1998-06-30 (39.00주)');
    expect(ko.out).toContain('누적 재구매: 실제 4339, 예측 4160.');
    expect(ko.out).toContain('마지막 주문 후 경과일의 점수는 0.771입니다.');
    expect(ko.out).toContain('    AUC 0.783 (마지막 주문 후 경과일 0.771)\n');
    expect(ko.out).toContain('    고객별 예상 구매 수: 평균 절대 오차 0.785\n');
    expect(ko.out).toMatch(/이탈 위험 등급별 홀드아웃 재주문: 낮음 \d+명 중 [\d.]+%, 중간 /);
    expect(ko.out).not.toMatch(ENGLISH);
    const ar = await run(['validate', sample, '--calibration-end', '1997-09-30', '--lang', 'ar']);
    expect(ar.out).toContain('التحقق على فترة الاختبار لـ');
    expect(ar.out).toContain('    AUC 0.783 (الأيام منذ آخر طلب 0.771)\n');
    expect(ar.out).toContain('من طلب مجددًا في فترة الاختبار حسب فئة الخطر: منخفض');
    expect(ar.out).not.toMatch(ENGLISH);
  }, 60_000);

  it('usage errors in the --lang or environment language, with the help text of that language', async () => {
    const ko = await run(['predict', sample, '--horizon', 'soon', '--lang', 'ko']);
    expect(ko.code).toBe(2);
    expect(ko.err).toContain('clvlens: predict: --horizon은 0보다 큰 기간(시간 단위 수)이어야 하는데 "soon"이(가) 주어졌습니다.');
    expect(ko.err).not.toMatch(ENGLISH);
    const ar = await run(['fit', sample, '--bogus', '--lang=ar']);
    expect(ar.code).toBe(2);
    expect(ar.err).toContain('الخيار \u200e--bogus\u200e غير معروف');
    expect(ar.err).not.toMatch(ENGLISH);
    const env = await run(['validate', sample], { LANG: 'ko_KR.UTF-8' });
    expect(env.code).toBe(2);
    expect(env.err).toContain('--calibration-end가 필요합니다.');
    const command = await run(['--lang', 'ar', 'fitt', sample]);
    expect(command.code).toBe(2);
    expect(command.err).toContain('الأمر \u200e"fitt"\u200e غير معروف.');
    const en = await run(['report', sample, '--window-days', '0']);
    expect(en.err).toContain('report: --window-days must be a whole number of days >= 1, got "0".');
  });

  it('--help of each command and of clvlens itself, in the --lang or environment language', async () => {
    expect((await run(['fit', '--help'])).out).toBe(FIT_USAGE);
    expect((await run(['report', '--help'])).out).toBe(REPORT_USAGE);
    expect(REPORT_USAGE).toMatch(/^Usage: clvlens report <file> \[options\]\n/);
    expect(FIT_USAGE).toMatch(/^Usage: clvlens fit <file> \[options\]\n/);
    expect(FIT_USAGE).toContain('  --lang en|ko|ar            language of messages');
    const ko = await run(['fit', '--help', '--lang', 'ko']);
    expect(ko.out).toMatch(/^사용법: clvlens fit <파일> \[옵션\]\n/);
    expect(ko.out).toContain('  --model NAME               구매 모델: bgnbd(기본값), mbgnbd, pnbd 또는 mbgcnbd\n');
    expect(ko.out).not.toMatch(ENGLISH);
    const ar = await run(['validate', '-h'], { LANG: 'ar_SA.UTF-8' });
    expect(ar.out).toMatch(/^الاستخدام: clvlens validate <الملف> --calibration-end YYYY-MM-DD/);
    expect(ar.out).not.toMatch(ENGLISH);
    expect((await run(['predict', '--help', '--lang', 'ar'])).out).toContain('  --out FILE                 اكتب CSV في هذا الملف');
    const report = await run(['report', '--help'], { LANG: 'ko_KR.UTF-8' });
    expect(report.out).toMatch(/^사용법: clvlens report <파일> \[옵션\]\n/);
    expect(report.out).not.toMatch(ENGLISH);
    const top = await run(['--help', '--lang', 'ko']);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/^사용법: clvlens <명령> \[옵션\]\n\n명령:\n  report /);
    expect((await run(['--help'], { LC_ALL: 'ar' })).out).toMatch(/^الاستخدام: clvlens <الأمر>/);
    expect((await run(['--help'])).out).toMatch(/^Usage: clvlens <command> \[options\]/);
  });
});
