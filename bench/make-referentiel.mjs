#!/usr/bin/env node
// bench/make-referentiel.mjs - prints a believable référentiel of the size of
// the largest real ones (3 levels, 4 chapters, 30 objectives, 157 criteria,
// 15 imperative) in the JSON form `jouda-referentiel/1`, or in the CSV form
// with --csv. The texts come from word lists, in French and Arabic.
// Usage: node bench/make-referentiel.mjs [version] [--csv]
// No dependencies; the output is the same for the same arguments.

const args = process.argv.slice(2);
const csv = args.includes("--csv");
const vArg = args.find((a) => a !== "--csv");
const version = vArg === undefined ? 1 : Number.parseInt(vArg, 10);
if (!Number.isInteger(version) || version < 1 || version > 1000000) {
  process.stderr.write("make-referentiel: the version is an integer from 1 to 1000000\n");
  process.exit(2);
}

const CHAPTERS = [
  ["La personne accompagnée", "الشخص المستفيد من المواكبة"],
  ["Les professionnels", "المهنيون"],
  ["L'établissement", "المؤسسة"],
  ["Le pilotage et l'amélioration continue", "القيادة والتحسين المستمر"],
];
// objectives per chapter: 8, 8, 7, 7
const OBJECTIVES = [
  ["La personne est informée de ses droits", "يُخبَر الشخص بحقوقه"],
  ["La personne exprime ses choix et son consentement", "يعبّر الشخص عن اختياراته وموافقته"],
  ["L'intimité et la dignité de la personne sont respectées", "تُحترَم خصوصية الشخص وكرامته"],
  ["La personne est actrice de son projet personnalisé", "يشارك الشخص بفعالية في مشروعه الفردي"],
  ["Les liens familiaux et sociaux sont maintenus", "يُحافَظ على الروابط العائلية والاجتماعية"],
  ["La santé de la personne est suivie", "تُتابَع صحة الشخص"],
  ["La personne est protégée de toute forme de maltraitance", "يُحمى الشخص من كل أشكال سوء المعاملة"],
  ["La personne est préparée à l'autonomie", "يُهيَّأ الشخص للاستقلالية"],
  ["Les professionnels connaissent les besoins de chaque personne", "يعرف المهنيون حاجات كل شخص"],
  ["Les professionnels coordonnent leurs interventions", "ينسّق المهنيون تدخلاتهم"],
  ["Les professionnels sont recrutés avec soin", "يُوظَّف المهنيون بعناية"],
  ["Les professionnels sont formés et soutenus", "يُكوَّن المهنيون ويُدعَمون"],
  ["Les pratiques sont analysées en équipe", "تُحلَّل الممارسات ضمن الفريق"],
  ["Les situations d'urgence sont maîtrisées", "يُتحكَّم في حالات الاستعجال"],
  ["Les informations sont partagées dans le respect du secret", "تُتقاسَم المعلومات في احترام للسر المهني"],
  ["Les professionnels préviennent les risques", "يقي المهنيون من المخاطر"],
  ["L'établissement définit son projet", "تحدد المؤسسة مشروعها"],
  ["L'établissement est ouvert sur son territoire", "المؤسسة منفتحة على محيطها الترابي"],
  ["Les locaux sont sûrs et adaptés", "المباني آمنة وملائمة"],
  ["La restauration répond aux besoins", "تستجيب التغذية للحاجات"],
  ["Les dossiers sont tenus et protégés", "تُمسَك الملفات وتُحمى"],
  ["Les ressources humaines sont gérées", "تُدبَّر الموارد البشرية"],
  ["Les partenariats sont formalisés", "تُؤطَّر الشراكات بشكل مكتوب"],
  ["La démarche qualité est pilotée", "يُقاد مسار الجودة"],
  ["L'auto-évaluation est conduite régulièrement", "يُجرى التقييم الذاتي بانتظام"],
  ["Le plan d'amélioration est suivi", "يُتتبَّع مخطط التحسين"],
  ["Les événements indésirables sont analysés", "تُحلَّل الأحداث غير المرغوب فيها"],
  ["Les réclamations sont traitées", "تُعالَج الشكايات"],
  ["La satisfaction est mesurée", "يُقاس الرضا"],
  ["Les résultats sont partagés", "تُتقاسَم النتائج"],
];
const OBJ_PER_CHAPTER = [8, 8, 7, 7];
// criteria per objective: 4,6,5,7,5,3 five times (150), plus one for the first 7 (157)
const SIZES = Array.from({ length: 30 }, (_, j) => [4, 6, 5, 7, 5, 3][j % 6] + (j < 7 ? 1 : 0));

const SUBJECTS = [
  ["l'information de la personne sur ses droits", "إخبار الشخص بحقوقه"],
  ["le recueil du consentement", "الحصول على الموافقة"],
  ["le respect de l'intimité", "احترام الخصوصية"],
  ["la confidentialité des informations personnelles", "سرية المعطيات الشخصية"],
  ["l'élaboration du projet personnalisé", "إعداد المشروع الفردي"],
  ["la révision du projet personnalisé", "مراجعة المشروع الفردي"],
  ["la participation de la personne aux décisions", "مشاركة الشخص في القرارات"],
  ["le maintien des liens familiaux", "الحفاظ على الروابط العائلية"],
  ["l'accès aux soins", "الولوج إلى العلاج"],
  ["la gestion des médicaments", "تدبير الأدوية"],
  ["la prévention des chutes et des accidents", "الوقاية من السقوط والحوادث"],
  ["la prévention de la maltraitance", "الوقاية من سوء المعاملة"],
  ["le traitement des réclamations", "معالجة الشكايات"],
  ["la déclaration des événements indésirables", "التصريح بالأحداث غير المرغوب فيها"],
  ["la continuité de l'accompagnement la nuit", "استمرارية المواكبة ليلاً"],
  ["l'accès à l'éducation et à la formation", "الولوج إلى التربية والتكوين"],
  ["la préparation à l'autonomie", "التهيئة للاستقلالية"],
  ["la préparation de la sortie", "التحضير للخروج"],
  ["l'accueil des nouveaux professionnels", "استقبال المهنيين الجدد"],
  ["la formation continue des équipes", "التكوين المستمر للفرق"],
  ["la supervision des pratiques", "الإشراف على الممارسات"],
  ["la sécurité des locaux", "سلامة المباني"],
  ["la qualité de l'alimentation", "جودة التغذية"],
  ["la gestion des situations d'urgence", "تدبير حالات الاستعجال"],
  ["la coordination avec les partenaires", "التنسيق مع الشركاء"],
  ["le pilotage de la démarche qualité", "قيادة مسار الجودة"],
  ["le suivi du plan d'amélioration", "تتبع مخطط التحسين"],
  ["la tenue des dossiers", "مسك الملفات"],
  ["l'accès aux loisirs et à la culture", "الولوج إلى الترفيه والثقافة"],
  ["l'expression des personnes accompagnées", "تعبير الأشخاص المستفيدين"],
  ["la gestion des ressources humaines", "تدبير الموارد البشرية"],
  ["l'évaluation de la satisfaction", "تقييم الرضا"],
];
const VERBS = [
  ["L'établissement garantit", "تضمن المؤسسة"],
  ["L'établissement organise", "تنظّم المؤسسة"],
  ["L'établissement évalue régulièrement", "تقيّم المؤسسة بانتظام"],
  ["L'établissement documente", "توثّق المؤسسة"],
  ["L'établissement améliore en continu", "تحسّن المؤسسة باستمرار"],
  ["Les professionnels mettent en œuvre", "يطبّق المهنيون"],
];
const ELEMENTS = [
  ["Une procédure écrite concernant {fr} existe et est connue des équipes.",
   "يوجد إجراء مكتوب بشأن {ar} تعرفه الفرق."],
  ["Un bilan annuel portant sur {fr} est présenté au comité de pilotage.",
   "تُعرَض على لجنة القيادة حصيلة سنوية بشأن {ar}."],
  ["Les écarts constatés concernant {fr} donnent lieu à des actions d'amélioration.",
   "تؤدي الفجوات المسجَّلة بخصوص {ar} إلى إجراءات للتحسين."],
  ["Les professionnels interrogés décrivent les mêmes pratiques pour {fr}.",
   "يصف المهنيون الذين تُجرى معهم المقابلات نفس الممارسات فيما يخص {ar}."],
  ["Les personnes accompagnées sont consultées sur {fr}.",
   "يُستشار الأشخاص المستفيدون بخصوص {ar}."],
];
const EVIDENCE = [
  ["Procédure écrite", "الإجراء المكتوب"],
  ["Comptes rendus du comité de pilotage", "محاضر لجنة القيادة"],
  ["Plan d'amélioration continue de la qualité", "مخطط التحسين المستمر للجودة"],
  ["Registre des incidents", "سجل الحوادث"],
  ["Dossiers des personnes accompagnées", "ملفات الأشخاص المستفيدين"],
  ["Attestations de formation", "شواهد التكوين"],
  ["Résultats de l'enquête de satisfaction", "نتائج استبيان الرضا"],
  ["Registre des réclamations", "سجل الشكايات"],
];
const WHO = [
  ["la direction", "الإدارة"],
  ["le référent qualité", "المسؤول المرجعي للجودة"],
  ["deux professionnels de terrain", "مهنيَّين اثنين من الميدان"],
  ["une personne accompagnée et son référent", "شخصاً مستفيداً ومربيه المرجعي"],
  ["le responsable logistique", "المسؤول عن اللوجستيك"],
];
const METHODS = [
  ["accompanied_tracer", "interview"],
  ["targeted_tracer", "documents"],
  ["system_audit", "documents"],
  ["interview", "observation"],
  ["observation", "documents"],
  ["accompanied_tracer", "documents", "interview"],
];
const CATEGORIES = [["children"], ["children", "students"], ["elderly"], ["disability"], ["women"]];
// 15 imperative criteria: the three subjects below in each of the five rounds of subjects
const IMPERATIVE_SUBJECTS = new Set([3, 9, 11]);

const fill = (t, s) => t.replace("{fr}", s[0]).replace("{ar}", s[1]);

function build() {
  const items = [];
  let j = 0; // objective index
  let k = 0; // criterion index
  CHAPTERS.forEach((ch, c) => {
    const chCode = String(c + 1);
    items.push({ code: chCode, level: "Chapitre", title_fr: ch[0], title_ar: ch[1] });
    for (let o = 0; o < OBJ_PER_CHAPTER[c]; o++, j++) {
      const obCode = `${chCode}.${o + 1}`;
      items.push({ code: obCode, parent_code: chCode, level: "Objectif",
        title_fr: OBJECTIVES[j][0], title_ar: OBJECTIVES[j][1] });
      for (let n = 0; n < SIZES[j]; n++, k++) {
        const s = SUBJECTS[k % SUBJECTS.length];
        const v = VERBS[Math.floor(k / SUBJECTS.length) % VERBS.length];
        const ne = 2 + (k % 2); // 2 or 3 elements
        const els = Array.from({ length: ne }, (_, i) => ELEMENTS[(k + i) % ELEMENTS.length]);
        const evs = [EVIDENCE[k % EVIDENCE.length], EVIDENCE[(k + 3) % EVIDENCE.length]];
        const who = WHO[k % WHO.length];
        const item = {
          code: `${obCode}.${n + 1}`, parent_code: obCode, level: "Critère",
          title_fr: `${v[0]} ${s[0]}.`, title_ar: `${v[1]} ${s[1]}.`,
        };
        if (IMPERATIVE_SUBJECTS.has(k % SUBJECTS.length) && k < 5 * SUBJECTS.length) item.imperative = true;
        if (k % 7 === 3) item.categories = CATEGORIES[k % CATEGORIES.length];
        item.methods = METHODS[k % METHODS.length];
        item.elements_fr = els.map((e) => fill(e[0], s));
        item.elements_ar = els.map((e) => fill(e[1], s));
        item.evidence_fr = evs.map((e) => e[0]);
        item.evidence_ar = evs.map((e) => e[1]);
        item.guidance_fr = `Interroger ${who[0]} sur ${s[0]}, puis vérifier les preuves sur pièces.`;
        item.guidance_ar = `يسأل المقيّم ${who[1]} عن ${s[1]}، ثم يتحقق من الحجج بالاعتماد على الوثائق.`;
        items.push(item);
      }
    }
  });
  return {
    format: "jouda-referentiel/1",
    code: "BENCH-157",
    version,
    title_fr: "Référentiel d'essai — 157 critères",
    title_ar: "مرجع تجريبي — 157 معياراً",
    title_en: "Benchmark framework — 157 criteria",
    scale: "has4",
    levels: ["Chapitre", "Objectif", "Critère"],
    items,
  };
}

const HEADER = ["code", "parent_code", "level", "title_fr", "title_ar", "imperative", "categories",
  "elements_fr", "elements_ar", "evidence_fr", "evidence_ar", "guidance_fr", "guidance_ar"];

function cell(v) {
  let s = v === undefined ? "" : Array.isArray(v) ? v.join("|") : typeof v === "boolean" ? (v ? "1" : "") : String(v);
  if (/^[=+\-@]/.test(s)) s = "'" + s;
  return /[,"|\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

process.stdout.on("error", (e) => { if (e.code === "EPIPE") process.exit(0); throw e; });
const doc = build();
if (csv) {
  const lines = [HEADER.join(",")];
  for (const it of doc.items) lines.push(HEADER.map((h) => cell(it[h])).join(","));
  process.stdout.write(lines.join("\n") + "\n");
} else {
  process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
}
