import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { CATALOG } from '../../../../../../shared/requests/catalog';
import { PendingCard } from '../../../../components/PendingCard';
import { useApi } from '../../../../hooks/useApi';
import { totalText } from '../../../../serviceRequests';
import { session } from '../../../../services';
import { DocumentList, missingDocuments } from '../../components/Documents';
import { FormFields } from '../../components/FormFields';
import { Gate } from '../../components/Gate';
import { StepBar } from '../../components/StepBar';
import { sizeText, type UploadedDocument } from '../../documents';
import { describeValue, FIELDS } from '../../form/fields';
import { useRequestForm, useSubmitRequest } from '../../form/useRequestForm';
import './index.scss';

const DEFINITION = CATALOG.capacity_increase;
const ALL_FIELDS = FIELDS.capacity_increase;
const pick = (names: string[]) => ALL_FIELDS.filter((field) => names.includes(field.name));
const STEPS = [
  { title: '企业信息', fields: ['company', 'creditCode', 'contactName', 'contactPhone'] },
  { title: '户号容量', fields: ['accountId', 'currentKva', 'requestedKva', 'expectedDate', 'reason'] },
  { title: '上传资料', fields: [] },
  { title: '确认提交', fields: [] },
];
const DOCUMENTS_STEP = 2;
const REVIEW_STEP = 3;

/**
 * A business asks for more capacity in four steps: the company, the supply and the capacity wanted,
 * the two documents the catalog requires, then a review. The whole draft is one Idempotency-Key.
 */
function CapacityApplication() {
  const accounts = useApi('listAccounts');
  const form = useRequestForm('capacity_increase', ALL_FIELDS);
  const [step, setStep] = useState(0);
  const [documents, setDocuments] = useState<Record<string, UploadedDocument>>({});
  const [documentsTried, setDocumentsTried] = useState(false);
  const { busy, error, submit } = useSubmitRequest();

  // Capacity belongs to business supplies; household accounts are not offered.
  const business = (accounts.data?.accounts ?? []).filter((account) => account.customerClass !== 'residential');
  const accountId = Number(form.raw.accountId || 0);
  const overview = useApi('getBillingOverview', { params: { accountId } }, { enabled: accountId > 0 });
  const contractKva = overview.data?.overview.contractKva ?? null;

  useEffect(() => {
    const first = business.find((account) => account.isDefault) ?? business[0];
    if (first && !form.raw.accountId) form.fill({ accountId: String(first.id) });
  }, [accounts.data]);
  // The current capacity is the contract's, when the billing system knows it; otherwise the customer types it.
  useEffect(() => {
    if (contractKva !== null) form.fill({ currentKva: String(contractKva) });
  }, [contractKva, accountId]);

  if (accounts.status !== 'ready')
    return (
      <View className="page">
        <PendingCard result={accounts} />
      </View>
    );
  if (business.length === 0) return <Gate reason="bind" message="增容需要先绑定企业（非居民）用电户号" />;

  const go = (next: number) => {
    setStep(next);
    void Taro.pageScrollTo({ scrollTop: 0, duration: 0 });
  };
  const forward = () => {
    if (step === DOCUMENTS_STEP) {
      setDocumentsTried(true);
      if (missingDocuments(DEFINITION.documents, documents).length) return;
    } else if (!form.touch(STEPS[step]!.fields)) return;
    go(step + 1);
  };
  const send = () => {
    if (!form.form) return go(0);
    void submit({ type: 'capacity_increase', form: form.form, documents: DEFINITION.documents.map((document) => documents[document.kind]!.id) });
  };

  const fieldProps = { raw: form.raw, errors: form.shown, onChange: form.set, accounts: business };
  return (
    <View className="page capacity" data-testid="capacity">
      <StepBar titles={STEPS.map((item) => item.title)} current={step} />
      {step === 0 && (
        <View className="card">
          <Text className="card__title">企业与联系人</Text>
          <FormFields fields={pick(STEPS[0]!.fields)} {...fieldProps} />
        </View>
      )}
      {step === 1 && (
        <View className="card">
          <Text className="card__title">用电户号与容量</Text>
          <FormFields fields={pick(['accountId'])} {...fieldProps} />
          {contractKva === null ? (
            <FormFields fields={pick(['currentKva'])} {...fieldProps} />
          ) : (
            <View className="field">
              <Text className="field__label">现有容量</Text>
              <Text data-testid="current-kva">{contractKva} 千伏安（合同容量）</Text>
            </View>
          )}
          <FormFields fields={pick(['requestedKva', 'expectedDate', 'reason'])} {...fieldProps} />
        </View>
      )}
      {step === DOCUMENTS_STEP && (
        <View className="card">
          <Text className="card__title">申请资料</Text>
          <DocumentList
            documents={DEFINITION.documents}
            uploaded={documents}
            onUploaded={(document) => setDocuments((current) => ({ ...current, [document.kind]: document }))}
            showMissing={documentsTried}
          />
        </View>
      )}
      {step === REVIEW_STEP && (
        <>
          <View className="card" data-testid="capacity-review">
            <Text className="card__title">请确认申请内容</Text>
            {ALL_FIELDS.map((field) => (
              <View key={field.name} className="review__row">
                <Text className="review__label">{field.label}</Text>
                <Text className="review__value">{describeValue(field, form.form?.[field.name as keyof typeof form.form], business)}</Text>
              </View>
            ))}
            {DEFINITION.documents.map((document) => (
              <View key={document.kind} className="review__row">
                <Text className="review__label">{document.name}</Text>
                <Text className="review__value">
                  {documents[document.kind]?.filename}（{sizeText(documents[document.kind]?.sizeBytes ?? 0)}）
                </Text>
              </View>
            ))}
          </View>
          <View className="card">
            <Text className="prose">
              提交后依次办理：{DEFINITION.stages.map((stage) => stage.name).join(' → ')}，{totalText(DEFINITION.stages)}。每个环节的进度会通知您。
            </Text>
          </View>
        </>
      )}
      {error && (
        <Text className="form__error capacity__error" data-testid="request-error">
          {error}
        </Text>
      )}
      <View className="capacity__actions">
        {step > 0 && (
          <Button className="capacity__back" onClick={() => go(step - 1)} data-testid="capacity-back">
            上一步
          </Button>
        )}
        {step < REVIEW_STEP ? (
          <Button className="form__submit capacity__next" onClick={forward} data-testid="capacity-next">
            下一步
          </Button>
        ) : (
          <Button
            className={`form__submit capacity__next ${busy ? 'form__submit--disabled' : ''}`}
            disabled={busy || undefined}
            onClick={send}
            data-testid="request-submit"
          >
            {busy ? '正在提交…' : '提交申请'}
          </Button>
        )}
      </View>
    </View>
  );
}

export default function CapacityPage() {
  if (!session.isLoggedIn()) return <Gate reason="login" />;
  return <CapacityApplication />;
}
